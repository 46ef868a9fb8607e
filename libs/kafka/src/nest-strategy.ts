import { EventPattern, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Kafka } from 'kafkajs';
import type { Logger, Metrics } from '@faultline/observability';
import { BatchConsumer, type ConsumedMessage, type MessageOutcome } from './batch-consumer';
import type { TopicProducer } from './client';
import type { TopicId, TopicMessage } from './topics';

interface BatchPattern {
  topic: TopicId;
  group: string;
}

/**
 * Marks a controller method as the batch handler of a topic for a consumer group.
 * The method receives `ConsumedMessage<T>[]` and returns `MessageOutcome[]`.
 */
export const KafkaBatchHandler = (topic: TopicId, group: string): MethodDecorator =>
  EventPattern({ topic, group } satisfies BatchPattern);

export interface BatchLimits {
  maxRows: number;
  maxWaitMs: number;
}

export interface KafkaBatchStrategyOptions {
  /** The process's Kafka client and producer (dead letters go through it): the caller disconnects them after close(). */
  kafka: Kafka;
  producer: () => Promise<TopicProducer>;
  topicPrefix: string;
  batch: BatchLimits;
  /** Limits of the consumers of some topics, where they differ from `batch`. */
  batchByTopic?: Partial<Record<TopicId, BatchLimits>>;
  metrics: Metrics;
  logger: Logger;
}

/**
 * A NestJS transport that hands messages over in batches (NestJS's own Kafka server is one
 * message at a time). Each `@KafkaBatchHandler(topic, group)` gets its own consumer group.
 */
export class KafkaBatchStrategy extends Server implements CustomTransportStrategy {
  private consumers: BatchConsumer<TopicId>[] = [];

  constructor(private readonly options: KafkaBatchStrategyOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      // The producer comes first: connecting it creates the registry topics the consumers subscribe to.
      const producer = await this.options.producer();
      for (const [route, handler] of this.messageHandlers) {
        const pattern = JSON.parse(route) as BatchPattern;
        const consumer = new BatchConsumer(
          this.options.kafka,
          producer,
          this.options.metrics,
          this.options.logger.child(pattern.group),
          { ...(this.options.batchByTopic?.[pattern.topic] ?? this.options.batch), group: pattern.group, topic: pattern.topic, prefix: this.options.topicPrefix },
          async (messages: ConsumedMessage<TopicMessage<TopicId>>[]) =>
            (await lastValueFrom(this.transformToObservable(await handler(messages)))) as MessageOutcome[],
        );
        await consumer.start();
        this.consumers.push(consumer);
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    this.consumers = [];
  }

  on(): void {
    // No transport events to subscribe to: failures surface through callbacks and logs.
  }

  unwrap<T>(): T {
    return this.options.kafka as T;
  }
}
