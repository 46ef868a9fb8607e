import { Controller, Inject } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type MessageOutcome } from '@faultline/kafka';
import type { Signal } from '@faultline/schema';
import { AlertService } from './alert.service';

export const DETECTOR_SIGNALS_GROUP = 'faultline-detector-signals';

/**
 * Signals in (the clusterer's issue.new / cluster.new, the detector's own spike / regression): one alert
 * pass per batch. Offsets move only after every alert of the batch is stored with its outcome; a failed
 * pass throws, and the replay finds the alerts already stored and does not send them again.
 */
@Controller()
export class SignalsController {
  constructor(@Inject(AlertService) private readonly alerts: AlertService) {}

  @KafkaBatchHandler('signals', DETECTOR_SIGNALS_GROUP)
  async handle(messages: ConsumedMessage<Signal>[]): Promise<MessageOutcome[]> {
    await this.alerts.handle(messages.map((m) => m.value));
    return messages.map(() => ({ kind: 'processed' }));
  }
}
