import { Kafka, logLevel, type Admin, type LogEntry, type Producer } from 'kafkajs';
import type { FaultlineConfig } from '@faultline/config';
import type { Logger } from '@faultline/observability';
import { tuneKafkajs } from './kafkajs-tuning';
import { KeyHashPartitioner } from './partitioner';
import { ALL_TOPIC_IDS, TOPICS, topicName, type TopicId, type TopicMessage } from './topics';

export type KafkaSettings = FaultlineConfig['kafka'];

export function createKafka(settings: KafkaSettings, logger?: Logger): Kafka {
  tuneKafkajs();
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
        // A record batch must fit in one log segment; brokers may run with small segments.
        { name: 'segment.bytes', value: String(Math.max(64 * 1024 * 1024, 2 * TOPICS[id].maxMessageBytes)) },
        { name: 'retention.ms', value: String(TOPICS[id].retentionMs) },
      ],
    })),
  });
}

/** A process's producer: creates the registry topics that are missing, then connects (idempotent, acks=all). */
export async function connectTopicProducer(kafka: Kafka, settings: KafkaSettings): Promise<TopicProducer> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, settings);
  } finally {
    await admin.disconnect();
  }
  return TopicProducer.connect(kafka, settings.topicPrefix);
}

/** Thrown when a message does not match its topic's schema on the way out: a bug of ours, never retried. */
export class InvalidOutgoingMessageError extends Error {}

/** Thrown when one message alone is larger than its topic accepts: permanent, never retried. */
export class MessageTooLargeError extends Error {}

/** Record and batch framing the broker counts on top of keys and values. */
const BATCH_OVERHEAD_BYTES = 256 * 1024;
const RECORD_OVERHEAD_BYTES = 128;

/** A message checked against its topic's schema, keyed and serialized: ready to produce. */
export interface EncodedRecord {
  key: string;
  value: string;
  /** Encoded size of key and value. */
  bytes: number;
}

export function encodeRecord<T extends TopicId>(topic: T, message: TopicMessage<T>): EncodedRecord {
  const definition = TOPICS[topic];
  const parsed = definition.schema.safeParse(message);
  if (!parsed.success) {
    throw new InvalidOutgoingMessageError(`message for ${topic} breaks its schema: ${parsed.error.message.slice(0, 500)}`);
  }
  const key = definition.key(parsed.data as never);
  const value = JSON.stringify(parsed.data);
  return { key, value, bytes: Buffer.byteLength(value) + Buffer.byteLength(key) };
}

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
      createPartitioner: KeyHashPartitioner,
    });
    await producer.connect();
    return new TopicProducer(producer, prefix);
  }

  /**
   * Sends in requests that each fit the topic's max.message.bytes (the broker limits a whole
   * record batch, and one request's messages for a partition form one batch), one after another.
   * Resolves when all are acknowledged; if a later request fails, the earlier ones are durable.
   */
  async send<T extends TopicId>(topic: T, messages: TopicMessage<T>[], headers?: Record<string, string>): Promise<void> {
    await this.sendEncoded(topic, messages.map((message) => encodeRecord(topic, message)), headers);
  }

  /** Sends records already checked and encoded by encodeRecord (e.g. in a worker thread). */
  async sendEncoded(topic: TopicId, records: EncodedRecord[], headers?: Record<string, string>): Promise<void> {
    if (records.length === 0) return;
    const limit = TOPICS[topic].maxMessageBytes - BATCH_OVERHEAD_BYTES;
    const requests: Array<Array<{ key: string; value: string; headers?: Record<string, string> }>> = [[]];
    let size = 0;
    for (const record of records) {
      const bytes = record.bytes + RECORD_OVERHEAD_BYTES;
      if (bytes > limit) throw new MessageTooLargeError(`a ${topic} message is ${bytes} bytes encoded; the topic takes at most ${limit}`);
      if (size + bytes > limit) {
        requests.push([]);
        size = 0;
      }
      requests.at(-1)!.push({ key: record.key, value: record.value, headers });
      size += bytes;
    }
    for (const request of requests) await this.producer.send({ topic: topicName(topic, this.prefix), acks: -1, messages: request });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
