import { Controller, Inject } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type MessageOutcome } from '@faultline/kafka';
import { EventProcessor, RUNTIME, type Runtime } from '@faultline/pipeline';
import type { CrashEvent, RawReport } from '@faultline/schema';

export const NORMALIZER_GROUP = 'faultline-normalizer';

/**
 * Raw reports in, normalized fingerprinted events out. A report that yields no event is
 * dead-lettered with the reason; records rejected inside a log text are counted by reason.
 * The batch's events are produced (acks=all) before the transport commits its offsets.
 */
@Controller()
export class NormalizerController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(EventProcessor) private readonly processor: EventProcessor,
  ) {}

  @KafkaBatchHandler('rawReports', NORMALIZER_GROUP)
  async handle(messages: ConsumedMessage<RawReport>[]): Promise<MessageOutcome[]> {
    const { metrics } = this.runtime;
    const events: CrashEvent[] = [];
    const outcomes: MessageOutcome[] = [];
    for (const message of messages) {
      try {
        const result = await this.processor.processReport(message.value);
        for (const rejected of result.rejected) {
          metrics.events.inc({ stage: 'normalize.record', outcome: 'rejected', reason: rejected.reason });
        }
        if (result.events.length === 0) {
          const first = result.rejected[0];
          outcomes.push({ kind: 'dead_letter', reason: first?.reason ?? 'no_records', detail: first?.detail ?? 'the report held no crash record' });
        } else {
          events.push(...result.events);
          metrics.events.inc({ stage: 'normalize.record', outcome: 'processed', reason: 'none' }, result.events.length);
          outcomes.push({ kind: 'processed' });
        }
      } catch (error) {
        // A bug of ours on this one input: keep it for replay after a fix, and keep the partition moving.
        outcomes.push({ kind: 'dead_letter', reason: 'processing_failed', detail: (error as Error).stack ?? String(error) });
      }
    }
    const producer = await this.runtime.producer();
    await producer.send('normalizedEvents', events);
    return outcomes;
  }
}
