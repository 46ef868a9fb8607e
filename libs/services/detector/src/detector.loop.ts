import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import { DetectorService } from './detector.service';
import type { DetectorOptions } from './options';

export const DETECTOR_OPTIONS = Symbol.for('faultline.detector.options');

/**
 * Runs a detector tick every `intervalMs`, first at start-up. Ticks never overlap: the next one is
 * scheduled when the previous one ends. A failed tick is logged and counted; the next one starts over
 * from ClickHouse, so nothing is lost.
 */
@Injectable()
export class DetectorLoop implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(DetectorService) private readonly detector: DetectorService,
    @Inject(DETECTOR_OPTIONS) private readonly options: DetectorOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.intervalMs > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.tick().finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const { metrics, logger } = this.runtime;
    try {
      const result = await this.detector.runOnce(new Date());
      metrics.events.inc({ stage: 'detector.tick', outcome: 'processed', reason: 'none' });
      if (result.signals.length > 0 || result.inferredDeploys.length > 0) {
        logger.info('detector tick', {
          signals: result.signals.map((s) => s.id),
          inferredDeploys: result.inferredDeploys.map((d) => `${d.project}/${d.environment}/${d.release}`),
          reopened: result.reopened.length,
          clustersScanned: result.clustersScanned,
        });
      }
    } catch (error) {
      metrics.events.inc({ stage: 'detector.tick', outcome: 'rejected', reason: 'tick_failed' });
      logger.error('detector tick failed; the next tick starts over from ClickHouse', { error });
    }
  }
}
