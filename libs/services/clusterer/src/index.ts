export { CLUSTERER_GROUP, ClustererController } from './clusterer.controller';
export { ClustererModule } from './clusterer.module';
