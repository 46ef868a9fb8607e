import { Module, type DynamicModule } from '@nestjs/common';
import { ClusteringEngine, RUNTIME, type Runtime } from '@faultline/pipeline';
import { ClustererController } from './clusterer.controller';

@Module({})
export class ClustererModule {
  static register(runtime: Runtime, engine: ClusteringEngine): DynamicModule {
    return {
      module: ClustererModule,
      controllers: [ClustererController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: ClusteringEngine, useValue: engine },
      ],
    };
  }
}
