import { Module, type DynamicModule } from '@nestjs/common';
import { REPORT_NORMALIZER, RUNTIME, type ReportNormalizer, type Runtime } from '@faultline/pipeline';
import { NormalizerController } from './normalizer.controller';

@Module({})
export class NormalizerModule {
  /** The module owns the normalizer from here: it is closed when the application shuts down. */
  static register(runtime: Runtime, normalizer: ReportNormalizer): DynamicModule {
    return {
      module: NormalizerModule,
      controllers: [NormalizerController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: REPORT_NORMALIZER, useValue: normalizer },
      ],
    };
  }
}
