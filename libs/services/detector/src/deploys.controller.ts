import { Controller, Inject } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type MessageOutcome } from '@faultline/kafka';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import type { Deploy } from '@faultline/schema';
import { DetectorService } from './detector.service';

export const DETECTOR_DEPLOYS_GROUP = 'faultline-detector-deploys';

/**
 * Deploy markers in (already parsed against the topic schema): stored once under the API's id rule, so
 * a marker the API wrote before publishing, or a replayed message, is not a second row. A failing insert
 * throws and the batch is retried before its offsets move.
 */
@Controller()
export class DeploysController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(DetectorService) private readonly detector: DetectorService,
  ) {}

  @KafkaBatchHandler('deploys', DETECTOR_DEPLOYS_GROUP)
  async handle(messages: ConsumedMessage<Deploy>[]): Promise<MessageOutcome[]> {
    const stored = await this.detector.recordDeploys(messages.map((m) => m.value));
    this.runtime.metrics.insertedRows.inc({ table: 'deploys' }, stored.length);
    return messages.map(() => ({ kind: 'processed' }));
  }
}
