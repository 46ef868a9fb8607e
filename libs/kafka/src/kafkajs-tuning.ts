import { Module, createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 is its final release. Its produce path costs the producing thread about a
 * quarter of its time on the pipeline benchmark, through habits that can be fixed from outside:
 * - its Encoder zero-fills every buffer it grows to (Buffer.alloc), although it only ever
 *   exposes the bytes it wrote (`buffer` is a slice up to its offset);
 * - it encodes each record into a fresh zero-filled 512-byte buffer of its own (a new
 *   ArrayBuffer per message), then grows it for any value over that;
 * - it builds each record batch in three nested encoders, each grown by doubling, copying the
 *   records through every one;
 * - it checksums each record batch (CRC-32C) one byte at a time;
 * - every connection's request queue re-arms a 1 ms timer forever once its first response
 *   arrives, whether or not anything waits (kafkajs#1704; on Node 24 it also prints a
 *   TimeoutNegativeWarning, kafkajs#1751): about 900 wake-ups and 4% of a core per connection.
 * `tuneKafkajs` swaps in an unfilled allocation, records and uncompressed record batches
 * written once into buffers of their exact size (records from Node's shared pool when small),
 * a slicing-by-8 CRC-32C, and a request queue that arms its timer only when a request waits or
 * the broker throttles. Every swap gives kafkajs's bytes exactly (the spec compares them)
 * and touches only the exact version it was written against; the broker verifies every batch's
 * checksum and parses every record, so the Kafka tests exercise them on every produce.
 */
const TUNED_VERSION = '2.2.4';

export interface KafkajsTuning {
  /** The installed kafkajs version. */
  version: string;
  encoder: boolean;
  records: boolean;
  recordBatches: boolean;
  crc32c: boolean;
  requestQueue: boolean;
}

let tuning: KafkajsTuning | null = null;

export function tuneKafkajs(): KafkajsTuning {
  if (tuning) return tuning;
  const kafkajsRequire = createRequire(require.resolve('kafkajs/package.json'));
  const { version } = kafkajsRequire('./package.json') as { version: string };
  tuning = { version, encoder: false, records: false, recordBatches: false, crc32c: false, requestQueue: false };
  if (version !== TUNED_VERSION) return tuning;

  // Produce requests load the record and record-batch encoders, and those the checksum, when
  // kafkajs first needs them (lazily, on the first produce or fetch): seeding the module cache
  // before that makes them take these.
  const Encoder = kafkajsRequire('./src/protocol/encoder.js') as KafkajsEncoderClass;
  const produceModule = kafkajsRequire.resolve('./src/protocol/requests/produce/v3/request.js');
  const batchModule = kafkajsRequire.resolve('./src/protocol/recordBatch/v0/index.js');
  if (!require.cache[produceModule] && !require.cache[batchModule]) {
    seedModule(kafkajsRequire.resolve('./src/protocol/recordBatch/crc32C/index.js'), crc32c);
    tuning.crc32c = true;
    const shipped = kafkajsRequire(batchModule) as { RecordBatch: KafkajsRecordBatchEncoder };
    seedModule(batchModule, { ...shipped, RecordBatch: exactSizeRecordBatchEncoder(Encoder, shipped.RecordBatch) });
    tuning.recordBatches = true;
    seedModule(kafkajsRequire.resolve('./src/protocol/recordBatch/record/v0/index.js'), exactSizeRecordEncoder(Encoder));
    tuning.records = true;
  }

  Encoder.prototype.ensureAvailable = function ensureAvailable(this: EncoderInstance, length: number): void {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  tuning.encoder = true;

  const RequestQueue = kafkajsRequire('./src/network/requestQueue/index.js') as KafkajsRequestQueueClass;
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  tuning.requestQueue = true;
  return tuning;
}

/** kafkajs's `CHECK_PENDING_REQUESTS_INTERVAL`: how soon a waiting request is looked at again. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

export interface KafkajsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface KafkajsRequestQueueClass {
  prototype: KafkajsRequestQueue;
}

/**
 * kafkajs's scheduling, minus the timer when nothing waits and nothing throttles: a new request
 * is then sent at once (`push`), so no check is needed. A waiting request is still looked at
 * within 10 ms even when the throttle has just ended (kafkajs#1532), and a throttle still gets
 * its timer.
 */
export function scheduleCheckPendingRequests(this: KafkajsRequestQueue): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

function seedModule(filename: string, exports: unknown): void {
  const seeded = new Module(filename);
  seeded.filename = filename;
  seeded.loaded = true;
  seeded.exports = exports;
  require.cache[filename] = seeded;
}

/** A kafkajs 64-bit value: a number or its Long. */
type Int64 = number | object;

interface EncoderInstance {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
  writeInt8(value: number): EncoderInstance;
  writeInt16(value: number): EncoderInstance;
  writeInt32(value: number): EncoderInstance;
  writeInt64(value: Int64): EncoderInstance;
  writeVarInt(value: number): EncoderInstance;
  writeVarLong(value: number): EncoderInstance;
  writeVarIntBytes(value: Buffer | string | null | undefined): EncoderInstance;
  writeVarIntString(value: string): EncoderInstance;
}

export interface KafkajsEncoderClass {
  prototype: EncoderInstance;
  nextPowerOfTwo(value: number): number;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: number): number;
  sizeOfVarIntBytes(value: Buffer | string | null | undefined): number;
}

/**
 * A kafkajs Encoder over a buffer of exactly `size` bytes, not zero-filled: only written bytes
 * are ever read (`buffer` slices up to the offset). Small ones come from Node's shared pool.
 */
function encoderOfSize(Encoder: KafkajsEncoderClass, size: number): EncoderInstance {
  const encoder = Object.create(Encoder.prototype) as EncoderInstance;
  encoder.buf = Buffer.allocUnsafe(size);
  encoder.offset = 0;
  return encoder;
}

/** The arguments of kafkajs's record encoder (`recordBatch/record/v0`). */
export interface KafkajsRecord {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, Buffer | string | null | Array<Buffer | string | null> | undefined>;
}

/**
 * kafkajs's record encoder (Record v0: length, attributes, timestamp and offset deltas, key,
 * value, headers), byte for byte, written into one buffer of the record's exact size instead of
 * a zero-filled 512-byte one that grows. Headers are written in place instead of as an Encoder each.
 */
export function exactSizeRecordEncoder(Encoder: KafkajsEncoderClass): (record: KafkajsRecord) => EncoderInstance {
  return ({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }) => {
    const headerList: Array<{ key: string; value: Buffer | string | null | undefined }> = [];
    for (const headerKey of Object.keys(headers)) {
      const headerValue = headers[headerKey];
      if (Array.isArray(headerValue)) for (const item of headerValue) headerList.push({ key: headerKey, value: item });
      else headerList.push({ key: headerKey, value: headerValue });
    }
    let headersSize = Encoder.sizeOfVarInt(headerList.length);
    for (const header of headerList) {
      const keySize = Buffer.byteLength(header.key);
      headersSize += Encoder.sizeOfVarInt(keySize) + keySize + Encoder.sizeOfVarIntBytes(header.value);
    }
    const bodySize =
      1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + headersSize;

    const encoder = encoderOfSize(Encoder, Encoder.sizeOfVarInt(bodySize) + bodySize);
    encoder.writeVarInt(bodySize).writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value);
    encoder.writeVarInt(headerList.length);
    for (const header of headerList) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
    return encoder;
  };
}

/** The arguments of kafkajs's record-batch encoder (`recordBatch/v0`). */
export interface KafkajsRecordBatch {
  compression?: number;
  firstOffset?: Int64;
  firstTimestamp?: number;
  maxTimestamp?: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: Int64;
  producerEpoch?: number;
  firstSequence?: number;
  records?: EncoderInstance[];
}

type KafkajsRecordBatchEncoder = (batch: KafkajsRecordBatch) => Promise<EncoderInstance>;

/** Record batch v2 bytes before the records: offset, length, epoch, magic, CRC, attributes, deltas, timestamps, producer, sequence, count. */
const RECORD_BATCH_OVERHEAD = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

/**
 * kafkajs's record-batch encoder, byte for byte, for uncompressed batches: written once into a
 * buffer of the batch's exact size, where kafkajs grows three nested encoders by doubling and
 * copies the records through each. Compressed batches go to kafkajs's own encoder.
 */
export function exactSizeRecordBatchEncoder(Encoder: KafkajsEncoderClass, shipped: KafkajsRecordBatchEncoder): KafkajsRecordBatchEncoder {
  return async (batch) => {
    const { compression = 0, records = [] } = batch;
    if (compression !== 0 || !records.every((record) => record != null && Buffer.isBuffer(record.buf))) return shipped(batch);
    const now = Date.now();
    const { firstOffset = 0, firstTimestamp = now, maxTimestamp = now, partitionLeaderEpoch = 0, lastOffsetDelta = 0, producerId = -1, producerEpoch = 0, firstSequence = 0 } = batch;
    let size = RECORD_BATCH_OVERHEAD;
    for (const record of records) size += record.offset;

    const encoder = encoderOfSize(Encoder, size);
    // The batch is framed as bytes: its length counts what follows the offset and the length.
    encoder.writeInt64(firstOffset).writeInt32(size - 12).writeInt32(partitionLeaderEpoch).writeInt8(2 /* magic */);
    const crcAt = encoder.offset;
    encoder.offset += 4;
    const checked = encoder.offset;
    encoder
      .writeInt16(batch.transactional ? 16 : 0)
      .writeInt32(lastOffsetDelta)
      .writeInt64(firstTimestamp)
      .writeInt64(maxTimestamp)
      .writeInt64(producerId)
      .writeInt16(producerEpoch)
      .writeInt32(firstSequence)
      .writeInt32(records.length);
    for (const record of records) {
      record.buf.copy(encoder.buf, encoder.offset, 0, record.offset);
      encoder.offset += record.offset;
    }
    encoder.buf.writeUInt32BE(crc32c(encoder.buf.subarray(checked, encoder.offset)), crcAt);
    return encoder;
  };
}

/** CRC-32C (Castagnoli), eight bytes per step: table t holds the CRC of a byte followed by t zero bytes. */
const CRC32C_TABLES = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const previous = table[(t - 1) * 256 + n];
      table[t * 256 + n] = (previous >>> 8) ^ table[previous & 0xff];
    }
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  const T = CRC32C_TABLES;
  const length = bytes.length;
  const whole = length - (length % 8);
  let crc = -1;
  let i = 0;
  for (; i < whole; i += 8) {
    const low = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      T[1792 + (low & 0xff)] ^
      T[1536 + ((low >>> 8) & 0xff)] ^
      T[1280 + ((low >>> 16) & 0xff)] ^
      T[1024 + (low >>> 24)] ^
      T[768 + bytes[i + 4]] ^
      T[512 + bytes[i + 5]] ^
      T[256 + bytes[i + 6]] ^
      T[bytes[i + 7]];
  }
  for (; i < length; i++) crc = T[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
