export { NORMALIZER_GROUP, NormalizerController } from './normalizer.controller';
export { NormalizerModule } from './normalizer.module';
