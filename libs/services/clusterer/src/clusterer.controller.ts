import { Controller, Inject } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type MessageOutcome } from '@faultline/kafka';
import { ClusteringEngine, RUNTIME, type Runtime } from '@faultline/pipeline';
import type { CrashEvent } from '@faultline/schema';

export const CLUSTERER_GROUP = 'faultline-clusterer';

/**
 * Normalized events in: stored once, issues and clusters updated, new-signature signals
 * published through the engine's outbox. A failing insert throws, so the batch is retried
 * and its offsets stay uncommitted until ClickHouse acknowledged it.
 */
@Controller()
export class ClustererController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(ClusteringEngine) private readonly engine: ClusteringEngine,
  ) {}

  @KafkaBatchHandler('normalizedEvents', CLUSTERER_GROUP)
  async handle(messages: ConsumedMessage<CrashEvent>[]): Promise<MessageOutcome[]> {
    const started = performance.now();
    const result = await this.engine.ingest(messages.map((m) => m.value));
    this.runtime.metrics.insertDuration.observe({ table: 'crash_events' }, (performance.now() - started) / 1000);
    this.runtime.metrics.insertedRows.inc({ table: 'crash_events' }, result.inserted);
    if (result.duplicates > 0) {
      this.runtime.metrics.events.inc({ stage: 'cluster', outcome: 'ignored', reason: 'duplicate' }, result.duplicates);
    }
    if (result.pendingSignals.length > 0) {
      const producer = await this.runtime.producer();
      await producer.send('signals', result.pendingSignals);
      await this.engine.markPublished(result.pendingSignals);
      for (const signal of result.pendingSignals) this.runtime.metrics.signals.inc({ kind: signal.kind });
    }
    return messages.map(() => ({ kind: 'processed' }));
  }
}
