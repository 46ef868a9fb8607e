import { Module, type DynamicModule } from '@nestjs/common';
import { EventProcessor, RUNTIME, type Runtime } from '@faultline/pipeline';
import { NormalizerController } from './normalizer.controller';

@Module({})
export class NormalizerModule {
  static register(runtime: Runtime, processor: EventProcessor): DynamicModule {
    return {
      module: NormalizerModule,
      controllers: [NormalizerController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: EventProcessor, useValue: processor },
      ],
    };
  }
}
