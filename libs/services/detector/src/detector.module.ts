import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseClient } from '@clickhouse/client';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import { AlertService } from './alert.service';
import { DeploysController } from './deploys.controller';
import { DETECTOR_OPTIONS, DetectorLoop } from './detector.loop';
import { DetectorService } from './detector.service';
import { detectorOptions, type DetectorOptions } from './options';
import { SignalsController } from './signals.controller';
import type { DeliveryDeps } from './webhook';

/**
 * The detector: consumes `deploys` and `signals`, ticks every DETECTOR_INTERVAL_MS (spikes, regressions,
 * inferred releases) and sends alerts. `overrides` replace config-derived options (tests: retry delays,
 * webhook targets, a disabled loop).
 */
@Module({})
export class DetectorModule {
  static register(runtime: Runtime, client: ClickHouseClient, overrides: Partial<DetectorOptions> = {}, deps: DeliveryDeps = {}): DynamicModule {
    const options = detectorOptions(runtime.config, overrides);
    return {
      module: DetectorModule,
      controllers: [DeploysController, SignalsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: DETECTOR_OPTIONS, useValue: options },
        { provide: DetectorService, useValue: new DetectorService(client, runtime, options) },
        { provide: AlertService, useValue: new AlertService(client, runtime, options, deps) },
        DetectorLoop,
      ],
      exports: [DetectorService, AlertService],
    };
  }
}
