import { Controller, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type EncodedRecord, type MessageOutcome } from '@faultline/kafka';
import { REPORT_NORMALIZER, RUNTIME, normalizeInParts, type ReportNormalizer, type Runtime } from '@faultline/pipeline';
import type { RawReport } from '@faultline/schema';

export const NORMALIZER_GROUP = 'faultline-normalizer';

/**
 * Reports normalized and produced together: a quarter of a default batch (NORMALIZER_BATCH_MAX_ROWS),
 * so normalizing overlaps producing, and still a few hundred records per produce request.
 */
const NORMALIZE_PART_SIZE = 250;

/**
 * Raw reports in, normalized fingerprinted events out. A report that yields no event is
 * dead-lettered with the reason; records rejected inside a log text are counted by reason.
 * The batch's events are produced (acks=all) before the transport commits its offsets.
 */
@Controller()
export class NormalizerController implements OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(REPORT_NORMALIZER) private readonly normalizer: ReportNormalizer,
  ) {}

  @KafkaBatchHandler('rawReports', NORMALIZER_GROUP)
  async handle(messages: ConsumedMessage<RawReport>[]): Promise<MessageOutcome[]> {
    const { metrics } = this.runtime;
    const producer = await this.runtime.producer();
    const outcomes: MessageOutcome[] = [];
    await normalizeInParts(this.normalizer, messages.map((m) => m.value), NORMALIZE_PART_SIZE, async (results) => {
      const records: EncodedRecord[] = [];
      for (const result of results) {
        for (const rejected of result.rejected) {
          metrics.events.inc({ stage: 'normalize.record', outcome: 'rejected', reason: rejected.reason });
        }
        if (result.kind === 'dead_letter') {
          outcomes.push({ kind: 'dead_letter', reason: result.reason, detail: result.detail });
          continue;
        }
        records.push(...result.records);
        metrics.events.inc({ stage: 'normalize.record', outcome: 'processed', reason: 'none' }, result.records.length);
        outcomes.push({ kind: 'processed' });
      }
      await producer.sendEncoded('normalizedEvents', records);
    });
    return outcomes;
  }

  /** After the consumers stopped (their last batch normalized and committed). */
  async onApplicationShutdown(): Promise<void> {
    await this.normalizer.close();
  }
}
