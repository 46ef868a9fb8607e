import { EventPattern, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Kafka } from 'kafkajs';
import type { Logger, Metrics } from '@faultline/observability';
import { BatchConsumer, type ConsumedMessage, type MessageOutcome } from './batch-consumer';
import { TopicProducer, createKafka, ensureTopics, type KafkaSettings } from './client';
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
  kafka: KafkaSettings;
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
  private kafkaClient: Kafka | null = null;
  private producer: TopicProducer | null = null;
  private consumers: BatchConsumer<TopicId>[] = [];

  constructor(private readonly options: KafkaBatchStrategyOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const kafka = createKafka(this.options.kafka, this.options.logger);
      this.kafkaClient = kafka;
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, this.options.kafka);
      await admin.disconnect();
      this.producer = await TopicProducer.connect(kafka, this.options.kafka.topicPrefix);

      for (const [route, handler] of this.messageHandlers) {
        const pattern = JSON.parse(route) as BatchPattern;
        const consumer = new BatchConsumer(
          kafka,
          this.producer,
          this.options.metrics,
          this.options.logger.child(pattern.group),
          { ...(this.options.batchByTopic?.[pattern.topic] ?? this.options.batch), group: pattern.group, topic: pattern.topic, prefix: this.options.kafka.topicPrefix },
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
    await this.producer?.disconnect();
    this.producer = null;
  }

  on(): void {
    // No transport events to subscribe to: failures surface through callbacks and logs.
  }

  unwrap<T>(): T {
    if (!this.kafkaClient) throw new Error('KafkaBatchStrategy is not listening yet');
    return this.kafkaClient as T;
  }
}
