import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32c, exactSizeRecordBatchEncoder, exactSizeRecordEncoder, scheduleCheckPendingRequests, tuneKafkajs, type KafkajsEncoderClass, type KafkajsRequestQueue, type KafkajsRecord, type KafkajsRecordBatch } from './kafkajs-tuning';

const kafkajsRequire = createRequire(require.resolve('kafkajs/package.json'));
const RECORD_MODULE = './src/protocol/recordBatch/record/v0/index.js';
const RECORD_BATCH_MODULE = './src/protocol/recordBatch/v0/index.js';

/** kafkajs's own module as shipped, whether or not tuneKafkajs has seeded the module cache with ours. */
function shippedKafkajsModule<T>(path: string): T {
  const resolved = kafkajsRequire.resolve(path);
  const cached = require.cache[resolved];
  delete require.cache[resolved];
  try {
    return kafkajsRequire(path) as T;
  } finally {
    if (cached) require.cache[resolved] = cached;
    else delete require.cache[resolved];
  }
}

describe('tuneKafkajs', () => {
  it('computes the same CRC-32C as kafkajs for every length and alignment', () => {
    const kafkajsCrc = kafkajsRequire('./src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283); // the standard check value
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    const bytes = randomBytes(4099);
    for (const length of [1, 7, 8, 9, 63, 64, 65, 1000, 4099]) {
      for (const start of [0, 1, 3]) {
        const slice = bytes.subarray(start, start + length);
        assert.equal(crc32c(slice), kafkajsCrc(slice), `length ${length} at ${start}`);
      }
    }
  });

  it('applies to kafkajs 2.2.4: record batches take the fast checksum, and encoders grow without losing bytes', () => {
    const tuning = tuneKafkajs();
    assert.deepEqual(tuning, { version: '2.2.4', encoder: true, records: true, recordBatches: true, crc32c: true, requestQueue: true });
    assert.equal(tuneKafkajs(), tuning, 'applied once');
    assert.equal(kafkajsRequire('./src/protocol/recordBatch/crc32C/index.js'), crc32c);
    assert.notEqual(kafkajsRequire(RECORD_MODULE), shippedKafkajsModule(RECORD_MODULE), 'produce requests take the exact-size record encoder');
    type BatchModule = { RecordBatch: unknown; MAGIC_BYTE: number };
    const batches = kafkajsRequire(RECORD_BATCH_MODULE) as BatchModule;
    assert.notEqual(batches.RecordBatch, shippedKafkajsModule<BatchModule>(RECORD_BATCH_MODULE).RecordBatch, 'and the exact-size record-batch encoder');
    assert.equal(batches.MAGIC_BYTE, 2);

    const Encoder = kafkajsRequire('./src/protocol/encoder.js') as new () => { writeBytes(b: Buffer): unknown; writeInt32(n: number): unknown; buffer: Buffer };
    const encoder = new Encoder();
    const payload = randomBytes(100_000);
    encoder.writeInt32(42);
    encoder.writeBytes(payload);
    const written = encoder.buffer;
    assert.equal(written.length, 4 + 4 + payload.length);
    assert.equal(written.readInt32BE(0), 42);
    assert.equal(written.readInt32BE(4), payload.length);
    assert.ok(written.subarray(8).equals(payload));
  });

  it("arms a connection's request-queue timer only while a request waits or the broker throttles", async () => {
    tuneKafkajs();
    const RequestQueue = kafkajsRequire('./src/network/requestQueue/index.js') as new (options: object) => KafkajsRequestQueue & { destroy(): void };
    const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
    const queue = new RequestQueue({ instrumentationEmitter: null, maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'spec', logger });
    assert.equal(queue.scheduleCheckPendingRequests, scheduleCheckPendingRequests);
    try {
      // kafkajs re-armed a 1 ms timer here (idle, never throttled: throttledUntil is -1).
      queue.scheduleCheckPendingRequests();
      assert.equal(queue.throttleCheckTimeoutId, null, 'idle: no timer');

      // A waiting request is looked at again soon, even with no throttle left (kafkajs#1532).
      let checks = 0;
      queue.checkPendingRequests = () => void checks++;
      queue.pending.push({});
      queue.scheduleCheckPendingRequests();
      assert.notEqual(queue.throttleCheckTimeoutId, null, 'a waiting request arms the timer');
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(checks, 1);
      assert.equal(queue.throttleCheckTimeoutId, null);

      // A throttle arms it for when the throttle ends, even with nothing waiting yet.
      queue.pending.length = 0;
      queue.throttledUntil = Date.now() + 20;
      queue.scheduleCheckPendingRequests();
      assert.notEqual(queue.throttleCheckTimeoutId, null, 'a throttle arms the timer');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(checks, 2);
    } finally {
      queue.destroy();
    }
  });

  it('encodes every record byte for byte as kafkajs does, into a buffer of exactly its size', () => {
    const Encoder = kafkajsRequire('./src/protocol/encoder.js') as KafkajsEncoderClass;
    const shipped = shippedKafkajsModule<(record: KafkajsRecord) => { buffer: Buffer }>(RECORD_MODULE);
    const exact = exactSizeRecordEncoder(Encoder);
    const records: KafkajsRecord[] = [
      {},
      { key: null, value: null },
      { key: 'project:fingerprint', value: '{"id":"e1"}' },
      { key: Buffer.from('bytes key'), value: randomBytes(600) },
      { key: 'ünïcode ключ', value: 'значение '.repeat(400), offsetDelta: 4999, timestampDelta: 1234 },
      { value: randomBytes(100_000), offsetDelta: 2 ** 20, timestampDelta: 2 ** 40 },
      { key: 'k', value: 'v', headers: { trace: 'abc', bytes: Buffer.from([0, 1, 2]), many: ['a', 'bb', Buffer.from('ccc')] } },
      { key: 'negative deltas', value: '', offsetDelta: -1, timestampDelta: -5 },
    ];
    for (const [i, record] of records.entries()) {
      const ours = exact(record) as unknown as { buf: Buffer; buffer: Buffer };
      assert.deepEqual(ours.buffer, shipped(record).buffer, `record ${i}`);
      assert.equal(ours.buf.length, ours.buffer.length, `record ${i} fills its buffer exactly`);
    }
  });

  it('encodes every record batch byte for byte as kafkajs does, into a buffer of exactly its size', async () => {
    const Encoder = kafkajsRequire('./src/protocol/encoder.js') as KafkajsEncoderClass;
    type BatchEncoder = (batch: KafkajsRecordBatch) => Promise<{ buf: Buffer; buffer: Buffer; offset: number }>;
    const shipped = shippedKafkajsModule<{ RecordBatch: BatchEncoder }>(RECORD_BATCH_MODULE).RecordBatch;
    const exact = exactSizeRecordBatchEncoder(Encoder, shipped as never) as unknown as BatchEncoder;
    const record = exactSizeRecordEncoder(Encoder);
    const records = (count: number) => Array.from({ length: count }, (_, i) => record({ offsetDelta: i, key: `key-${i}`, value: randomBytes(1 + ((i * 977) % 5000)) }));
    const batches: KafkajsRecordBatch[] = [
      { records: [], firstTimestamp: 1, maxTimestamp: 1 },
      { records: records(1), firstTimestamp: 1_795_000_000_000, maxTimestamp: 1_795_000_000_000 },
      { records: records(300), lastOffsetDelta: 299, firstTimestamp: 1_795_000_000_000, maxTimestamp: 1_795_000_000_123, producerId: 4711, producerEpoch: 3, firstSequence: 1200 },
      { records: records(5), transactional: true, partitionLeaderEpoch: 7, firstOffset: 2 ** 40, firstTimestamp: 5, maxTimestamp: 6 },
    ];
    for (const [i, batch] of batches.entries()) {
      const ours = await exact(batch);
      assert.deepEqual(ours.buffer, (await shipped(batch)).buffer, `batch ${i}`);
      assert.equal(ours.buf.length, ours.offset, `batch ${i} fills its buffer exactly`);
    }
    // Compressed batches are kafkajs's own: the same bytes either way.
    const gzip = { compression: 1, records: records(3), firstTimestamp: 1, maxTimestamp: 1 };
    assert.deepEqual((await exact(gzip)).buffer, (await shipped(gzip)).buffer);
  });
});
