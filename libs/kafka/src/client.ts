import { Kafka, Partitioners, logLevel, type Admin, type LogEntry, type Producer } from 'kafkajs';
import type { FaultlineConfig } from '@faultline/config';
import type { Logger } from '@faultline/observability';
import { ALL_TOPIC_IDS, TOPICS, topicName, type TopicId, type TopicMessage } from './topics';

export type KafkaSettings = FaultlineConfig['kafka'];

export function createKafka(settings: KafkaSettings, logger?: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8 },
    // kafkajs warns through every routine rebalance and coordinator load; errors are what matter.
    logLevel: logLevel.ERROR,
    logCreator: () => (entry: LogEntry) => {
      // kafkajs logs rebalances and retries at WARN/ERROR; route them into our structured log.
      const { message, ...extra } = entry.log;
      logger?.warn(`kafkajs: ${message}`, { namespace: entry.namespace, ...extra });
    },
  });
}

/**
 * Creates every registry topic that is missing, with its configured size limit.
 * Explicit creation at start-up: auto-create races the first fetch on KRaft.
 */
export async function ensureTopics(admin: Admin, settings: KafkaSettings): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = ALL_TOPIC_IDS.filter((id) => !existing.has(topicName(id, settings.topicPrefix)));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((id) => ({
      topic: topicName(id, settings.topicPrefix),
      numPartitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
      configEntries: [
        { name: 'max.message.bytes', value: String(TOPICS[id].maxMessageBytes) },
        { name: 'retention.ms', value: String(TOPICS[id].retentionMs) },
      ],
    })),
  });
}

/** Thrown when a message does not match its topic's schema on the way out: a bug of ours, never retried. */
export class InvalidOutgoingMessageError extends Error {}

/**
 * Publishes schema-checked messages, keyed by the topic's rule. Resolves only once every
 * in-sync replica has the messages (acks=all), so callers may acknowledge their own input.
 */
export class TopicProducer {
  constructor(
    private readonly producer: Producer,
    private readonly prefix: string,
  ) {}

  static async connect(kafka: Kafka, prefix: string): Promise<TopicProducer> {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new TopicProducer(producer, prefix);
  }

  async send<T extends TopicId>(topic: T, messages: TopicMessage<T>[], headers?: Record<string, string>): Promise<void> {
    if (messages.length === 0) return;
    const definition = TOPICS[topic];
    const encoded = messages.map((message) => {
      const parsed = definition.schema.safeParse(message);
      if (!parsed.success) {
        throw new InvalidOutgoingMessageError(`message for ${topic} breaks its schema: ${parsed.error.message.slice(0, 500)}`);
      }
      return { key: definition.key(parsed.data as never), value: JSON.stringify(parsed.data), headers };
    });
    await this.producer.send({ topic: topicName(topic, this.prefix), acks: -1, messages: encoded });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
