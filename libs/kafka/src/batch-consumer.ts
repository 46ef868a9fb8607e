import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DeadLetter, DeadLetterReason } from '@faultline/schema';
import type { Logger, Metrics } from '@faultline/observability';
import { TOPICS, topicName, type TopicId, type TopicMessage } from './topics';
import { MessageTooLargeError, type TopicProducer } from './client';

/** What became of one consumed message. Exactly one per message. */
export type MessageOutcome =
  | { kind: 'processed' }
  | { kind: 'dead_letter'; reason: DeadLetterReason; detail: string };

export interface ConsumedMessage<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The message bytes as consumed: what a dead letter keeps. */
  raw: Buffer;
  /** Kafka's broker/produce timestamp, epoch milliseconds. */
  timestampMs: number;
}

/** Receives a batch and returns one outcome per message, in order. Throwing means "try the whole batch again". */
export type BatchHandler<T> = (messages: ConsumedMessage<T>[]) => Promise<MessageOutcome[]>;

export interface BatchConsumerOptions {
  group: string;
  topic: TopicId;
  /** Upper bound of messages handed to the handler at once. */
  maxRows: number;
  /** How long the first message of a batch may wait for more before the batch is handled. */
  maxWaitMs: number;
  /** Attempts for a failing batch before the consumer gives up and restarts from the last commit. */
  maxAttempts?: number;
  fromBeginning?: boolean;
  prefix: string;
}

interface PendingPartition {
  topic: string;
  partition: number;
  /** The first offset not yet committed: where a failed flush makes the partition start again. */
  firstOffset: string;
  nextOffset: string;
  heartbeat: () => Promise<void>;
  /** The batch's own commit: unlike consumer.commitOffsets, it still commits while the consumer stops. */
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

/**
 * Consumes one topic in batches bounded by rows and time, across all assigned partitions,
 * and commits offsets only after the handler's effects (including dead letters) are durable.
 *
 * kafkajs hands over one partition's fetch at a time; batches from several partitions are
 * pooled here so an insert sees thousands of rows, not a handful. kafkajs is released as soon
 * as a fetch is buffered, so the next fetch overlaps the handler's work; at most two batches'
 * worth of messages wait, then kafkajs is held until a flush makes room. A flush that fails
 * for good drops what waits and seeks its partitions back to their last commit.
 */
export class BatchConsumer<T extends TopicId> {
  private consumer: Consumer | null = null;
  /** Consumed, not yet decoded: waiting batches stay bytes outside the JS heap, which keeps GC cheap. */
  private pending: ConsumedMessage<null>[] = [];
  private pendingPartitions = new Map<string, PendingPartition>();
  /** Messages buffered or being flushed: kafkajs is held while this is at twice maxRows. */
  private buffered = 0;
  private roomWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: TopicProducer,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: BatchConsumerOptions,
    private readonly handler: BatchHandler<TopicMessage<T>>,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      sessionTimeout: 45_000,
      heartbeatInterval: 3_000,
      // A fetch may bring a whole batch (kafkajs's 10 MB default cut batches to a few thousand rows).
      maxBytes: 64 * 1024 * 1024,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxWaitTimeInMs: Math.min(500, Math.max(50, this.options.maxWaitMs)),
      allowAutoTopicCreation: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(this.options.topic, this.options.prefix), fromBeginning: this.options.fromBeginning ?? true });
    // Set before run(): the first batch may arrive before run() returns, and it commits through this.
    this.consumer = consumer;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * Leaves the group gracefully: fetching pauses, what is buffered is handled and committed,
   * then the consumer disconnects, so a restart does not re-emit it.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.stopping = true;
    consumer.pause([{ topic: topicName(this.options.topic, this.options.prefix) }]);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
    this.releaseRoom();
    await consumer.disconnect();
    this.consumer = null;
  }

  private async onBatch({ batch, heartbeat, commitOffsetsIfNecessary, isStale }: EachBatchPayload): Promise<void> {
    // A stale batch was fetched before a rewind of its partition: the seek brings it again.
    if (batch.isEmpty() || this.stopping || isStale()) return;
    for (const message of batch.messages) this.pending.push(toConsumed(batch.topic, batch.partition, message));
    const key = `${batch.topic}|${batch.partition}`;
    this.pendingPartitions.set(key, {
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: this.pendingPartitions.get(key)?.firstOffset ?? batch.firstOffset() ?? batch.messages[0].offset,
      nextOffset: (BigInt(batch.lastOffset()) + 1n).toString(),
      heartbeat,
      commit: commitOffsetsIfNecessary,
    });
    this.buffered += batch.messages.length;
    this.metrics.consumerLag.set({ group: this.options.group, topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));

    if (this.pending.length >= this.options.maxRows) this.scheduleFlush(0);
    else if (!this.timer) this.scheduleFlush(this.options.maxWaitMs);
    // Backpressure: memory stays bounded by two batches while the handler is slower than Kafka.
    while (this.buffered >= 2 * this.options.maxRows && !this.stopping) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      await heartbeat().catch(() => undefined);
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // Flushes run one after another so a partition's offsets only move forward.
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  private releaseRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async flush(): Promise<void> {
    const received = this.pending;
    const partitions = [...this.pendingPartitions.values()];
    this.pending = [];
    this.pendingPartitions = new Map();
    const count = received.length;
    if (count === 0) return;
    const started = performance.now();
    const schema = TOPICS[this.options.topic].schema;
    const deadLetters: DeadLetter[] = [];
    try {
      // Decoded a chunk at a time: only the chunk in hand is objects on the heap.
      for (let i = 0; i < received.length; i += this.options.maxRows) {
        const chunk: ConsumedMessage<TopicMessage<T>>[] = [];
        for (const message of received.slice(i, i + this.options.maxRows)) {
          const decoded = decode(message.raw, schema);
          if (decoded.ok) chunk.push({ ...message, value: decoded.value as TopicMessage<T> });
          else deadLetters.push(this.deadLetter(message, message.raw, 'invalid_envelope', decoded.detail));
        }
        if (chunk.length === 0) continue;
        const outcomes = await this.handleWithRetries(chunk, partitions);
        let processed = 0;
        chunk.forEach((message, index) => {
          const outcome = outcomes[index];
          if (outcome.kind === 'processed') processed += 1;
          else deadLetters.push(this.deadLetter(message, message.raw, outcome.reason, outcome.detail));
        });
        if (processed > 0) this.metrics.events.inc({ stage: this.options.group, outcome: 'processed', reason: 'none' }, processed);
      }
      if (deadLetters.length > 0) {
        await this.sendDeadLetters(deadLetters);
        for (const letter of deadLetters) {
          this.metrics.events.inc({ stage: this.options.group, outcome: 'dead_lettered', reason: letter.reason });
        }
      }
    } catch (error) {
      this.logger.error('batch failed; it will be consumed again from the last commit', { group: this.options.group, error });
      this.rewind(partitions);
      return;
    } finally {
      this.buffered -= count;
      this.releaseRoom();
    }
    // Only now is every effect durable: move the group's offsets past this batch.
    try {
      await commitAll(partitions);
    } catch (error) {
      // A rebalance took the partitions away: the effects are stored, and their next owner
      // consumes them again from the last commit, which the stored event ids make harmless.
      this.logger.warn('offsets not committed; the next owner re-reads this batch', { group: this.options.group, error });
    }
    this.metrics.batchSize.observe({ consumer: this.options.group }, count);
    this.metrics.batchDuration.observe({ consumer: this.options.group }, (performance.now() - started) / 1000);
  }

  /** Drops what waits and sends every partition involved back to its first uncommitted offset. */
  private rewind(failed: PendingPartition[]): void {
    const from = new Map<string, PendingPartition>();
    for (const p of [...failed, ...this.pendingPartitions.values()]) {
      const key = `${p.topic}|${p.partition}`;
      const known = from.get(key);
      if (!known || BigInt(p.firstOffset) < BigInt(known.firstOffset)) from.set(key, p);
    }
    this.buffered -= this.pending.length;
    this.pending = [];
    this.pendingPartitions = new Map();
    for (const p of from.values()) this.consumer?.seek({ topic: p.topic, partition: p.partition, offset: p.firstOffset });
  }

  /**
   * A dead letter too large for its topic would be retried forever and stall the partition:
   * it is sent again with its original cut to fit, the cut and the full size said in `detail`.
   */
  private async sendDeadLetters(letters: DeadLetter[]): Promise<void> {
    try {
      await this.producer.send('deadLetters', letters);
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw error;
      const limit = Math.floor((TOPICS.deadLetters.maxMessageBytes / 2) * 0.75);
      const fitted = letters.map((letter) => {
        const bytes = Math.floor((letter.originalBase64.length * 3) / 4);
        if (letter.originalBase64.length <= limit) return letter;
        return {
          ...letter,
          originalBase64: letter.originalBase64.slice(0, limit - (limit % 4)),
          detail: `${letter.detail} [original cut from ${bytes} bytes to fit the dead-letter topic]`.slice(0, 2000),
        };
      });
      for (const letter of fitted) await this.producer.send('deadLetters', [letter]);
    }
  }

  /** Retries a failing batch with backoff; the final failure surfaces to kafkajs, which restarts from the last commit. */
  private async handleWithRetries(
    chunk: ConsumedMessage<TopicMessage<T>>[],
    partitions: PendingPartition[],
  ): Promise<MessageOutcome[]> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.handler(chunk);
        if (outcomes.length !== chunk.length) {
          throw new Error(`handler returned ${outcomes.length} outcomes for ${chunk.length} messages`);
        }
        return outcomes;
      } catch (error) {
        if (attempt >= maxAttempts) throw error;
        const delay = Math.min(10_000, 200 * 2 ** (attempt - 1));
        this.logger.warn('batch handler failed; retrying', { group: this.options.group, attempt, delayMs: delay, error });
        await new Promise((resolve) => setTimeout(resolve, delay));
        await Promise.all(partitions.map((p) => p.heartbeat().catch(() => undefined)));
      }
    }
  }

  private deadLetter(message: ConsumedMessage<unknown>, original: Buffer, reason: DeadLetterReason, detail: string): DeadLetter {
    return {
      reason,
      detail: detail.slice(0, 2000),
      sourceTopic: message.topic,
      partition: message.partition,
      offset: message.offset,
      failedAt: new Date().toISOString(),
      consumer: this.options.group,
      originalBase64: original.toString('base64'),
      originalKey: message.key,
    };
  }
}

async function commitAll(partitions: PendingPartition[]): Promise<void> {
  if (partitions.length === 0) return;
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, nextOffset } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: nextOffset }]);
  await partitions[0].commit({ topics: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })) });
}

function toConsumed(topic: string, partition: number, message: KafkaMessage): ConsumedMessage<null> {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: null,
    raw: message.value ?? Buffer.alloc(0),
    timestampMs: Number(message.timestamp),
  };
}

function decode(value: Buffer, schema: (typeof TOPICS)[TopicId]['schema']): { ok: true; value: unknown } | { ok: false; detail: string } {
  if (value.length === 0) return { ok: false, detail: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, detail: `not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, detail: `breaks the topic schema: ${parsed.error.message.slice(0, 1000)}` };
  return { ok: true, value: parsed.data };
}
