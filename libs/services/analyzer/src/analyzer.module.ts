import { Module, type DynamicModule } from '@nestjs/common';
import { ClusterAnalyzer, RUNTIME, type Runtime } from '@faultline/pipeline';
import { AnalyzerController } from './analyzer.controller';

@Module({})
export class AnalyzerModule {
  static register(runtime: Runtime, analyzer: ClusterAnalyzer): DynamicModule {
    return {
      module: AnalyzerModule,
      controllers: [AnalyzerController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: ClusterAnalyzer, useValue: analyzer },
      ],
    };
  }
}
