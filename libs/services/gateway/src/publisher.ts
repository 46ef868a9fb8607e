import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { InvalidOutgoingMessageError, MessageTooLargeError, connectTopicProducer, type KafkaSettings, type TopicProducer } from '@faultline/kafka';
import type { Logger } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';

/**
 * Where accepted reports go. `publish` resolves only once the reports are durable (the broker
 * acknowledged with acks=all); it rejects with PublishUnavailableError when they may not be.
 */
export interface ReportPublisher {
  publish(reports: RawReport[]): Promise<void>;
  /** For /health/ready: whether a publish is expected to succeed now. */
  isReady(): boolean;
  close(): Promise<void>;
}

/** Kafka is unreachable or did not acknowledge in time: retriable, the client should try again (503). */
export class PublishUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishUnavailableError';
  }
}

/** One report is larger than the topic accepts: permanent, retrying cannot help (413). */
export class ReportTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportTooLargeError';
  }
}

export interface KafkaReportPublisherOptions {
  kafka: Kafka;
  settings: KafkaSettings;
  logger: Logger;
  /** Upper bound on one acknowledged send; past it the request gets 503 rather than hanging. */
  publishTimeoutMs?: number;
  /** After a failed send, how long the instance reports not-ready unless a send succeeds. */
  unhealthyForMs?: number;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
const DEFAULT_UNHEALTHY_FOR_MS = 10_000;
const MAX_RECONNECT_DELAY_MS = 30_000;
/**
 * Publishes reports to `rawReports` through TopicProducer (schema check, key = report id, acks=all).
 *
 * It connects in the background: the gateway starts and answers (503, not ready) while Kafka
 * is down, and sends fail fast instead of queueing. Delivery is at least once: a send that
 * times out may still land, and the client's retry then produces a duplicate with the same
 * report id (a Sentry event_id), which is what downstream can deduplicate on.
 */
export class KafkaReportPublisher implements ReportPublisher {
  private producer: TopicProducer | null;
  private readonly owned: boolean;
  private connecting: Promise<void> | null = null;
  private readonly stop = new AbortController();
  private lastFailureAt = -Infinity;
  private lastSuccessAt = -Infinity;

  private constructor(
    private readonly options: Omit<KafkaReportPublisherOptions, 'kafka' | 'settings'> & { kafka: Kafka | null; settings: KafkaSettings | null },
    producer: TopicProducer | null,
  ) {
    this.producer = producer;
    this.owned = producer === null;
  }

  /** Starts connecting (and creating topics) in the background; returns at once. */
  static start(options: KafkaReportPublisherOptions): KafkaReportPublisher {
    const publisher = new KafkaReportPublisher(options, null);
    publisher.connecting = publisher.connectLoop();
    return publisher;
  }

  /** Wraps a producer that is already connected; closing the publisher leaves it to its owner. */
  static fromProducer(producer: TopicProducer, logger: Logger, options: Pick<KafkaReportPublisherOptions, 'publishTimeoutMs' | 'unhealthyForMs'> = {}): KafkaReportPublisher {
    return new KafkaReportPublisher({ ...options, logger, kafka: null, settings: null }, producer);
  }

  isReady(): boolean {
    if (!this.producer || this.stop.signal.aborted) return false;
    const recentFailure = this.lastFailureAt > this.lastSuccessAt && performance.now() - this.lastFailureAt < (this.options.unhealthyForMs ?? DEFAULT_UNHEALTHY_FOR_MS);
    return !recentFailure;
  }

  /**
   * TopicProducer sends in requests that fit the topic, one after another. If a later one fails
   * the earlier ones are already durable; the client's retry duplicates them (at least once, see above).
   */
  async publish(reports: RawReport[]): Promise<void> {
    try {
      await this.send(reports);
    } catch (error) {
      if (error instanceof MessageTooLargeError) throw new ReportTooLargeError(error.message);
      throw error;
    }
  }

  private async send(reports: RawReport[]): Promise<void> {
    const producer = this.producer;
    if (this.stop.signal.aborted) throw new PublishUnavailableError('the gateway is shutting down');
    if (!producer) throw new PublishUnavailableError('not connected to Kafka (yet)');
    const timeoutMs = this.options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const timeout = new AbortController();
    try {
      await Promise.race([
        producer.send('rawReports', reports),
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`Kafka did not acknowledge within ${timeoutMs} ms`);
        }),
      ]);
      this.lastSuccessAt = performance.now();
    } catch (error) {
      // A report that breaks the topic schema is our bug, not an outage: let it surface as a 500.
      if (error instanceof InvalidOutgoingMessageError || error instanceof MessageTooLargeError) throw error;
      this.lastFailureAt = performance.now();
      throw new PublishUnavailableError(`Kafka send failed: ${(error as Error).message}`, { cause: error });
    } finally {
      timeout.abort();
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    // A connect attempt in flight finishes on its own and disconnects (see connectLoop);
    // shutdown waits for it only briefly.
    if (this.connecting) await Promise.race([this.connecting, sleep(2_000, undefined, { ref: false })]);
    const producer = this.producer;
    this.producer = null;
    if (producer && this.owned) await producer.disconnect();
  }

  private async connectLoop(): Promise<void> {
    const { kafka, settings, logger } = this.options;
    if (!kafka || !settings) return;
    let delay = 500;
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      try {
        const producer = await connectTopicProducer(kafka, settings);
        if (this.stop.signal.aborted) {
          await producer.disconnect();
          return;
        }
        this.producer = producer;
        logger.info('connected to Kafka', { attempt });
        return;
      } catch (error) {
        if (this.stop.signal.aborted) return;
        logger.warn('Kafka is not reachable; the gateway answers 503 until it is', { attempt, retryInMs: delay, error });
        try {
          await sleep(delay, undefined, { signal: this.stop.signal });
        } catch {
          return; // closed while waiting
        }
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
  }
}
