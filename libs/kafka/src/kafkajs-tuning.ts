import { Module, createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 is its final release. Three of its habits cost the producing thread about a
 * fifth of its time on the pipeline benchmark, and all can be fixed from outside:
 * - its Encoder zero-fills every buffer it grows to (Buffer.alloc), although it only ever
 *   exposes the bytes it wrote (`buffer` is a slice up to its offset);
 * - it encodes each record into a fresh zero-filled 512-byte buffer of its own (a new
 *   ArrayBuffer per message), then grows it for any value over that;
 * - it checksums each record batch (CRC-32C) one byte at a time.
 * `tuneKafkajs` swaps in an unfilled allocation, records encoded into a buffer of their exact
 * size (from Node's shared pool when small), and a slicing-by-8 CRC-32C that gives the same
 * checksums. It only touches the exact version it was written against; the broker verifies
 * every batch's checksum and parses every record, so the Kafka tests exercise it on every produce.
 */
const TUNED_VERSION = '2.2.4';

export interface KafkajsTuning {
  /** The installed kafkajs version. */
  version: string;
  encoder: boolean;
  records: boolean;
  crc32c: boolean;
}

let tuning: KafkajsTuning | null = null;

export function tuneKafkajs(): KafkajsTuning {
  if (tuning) return tuning;
  const kafkajsRequire = createRequire(require.resolve('kafkajs/package.json'));
  const { version } = kafkajsRequire('./package.json') as { version: string };
  tuning = { version, encoder: false, records: false, crc32c: false };
  if (version !== TUNED_VERSION) return tuning;

  // Record batches take their checksum function when kafkajs first loads them (lazily, on the
  // first produce): seeding the module cache before that makes them take this one.
  const crcModule = kafkajsRequire.resolve('./src/protocol/recordBatch/crc32C/index.js');
  const batchModule = kafkajsRequire.resolve('./src/protocol/recordBatch/v0/index.js');
  if (!require.cache[batchModule]) {
    const seeded = new Module(crcModule);
    seeded.filename = crcModule;
    seeded.loaded = true;
    seeded.exports = crc32c;
    require.cache[crcModule] = seeded;
    tuning.crc32c = true;
  }

  const Encoder = kafkajsRequire('./src/protocol/encoder.js') as KafkajsEncoderClass;
  // Produce requests take their record encoder when kafkajs first loads them, as above.
  const recordModule = kafkajsRequire.resolve('./src/protocol/recordBatch/record/v0/index.js');
  const produceModule = kafkajsRequire.resolve('./src/protocol/requests/produce/v3/request.js');
  if (!require.cache[produceModule]) {
    const seeded = new Module(recordModule);
    seeded.filename = recordModule;
    seeded.loaded = true;
    seeded.exports = exactSizeRecordEncoder(Encoder);
    require.cache[recordModule] = seeded;
    tuning.records = true;
  }

  Encoder.prototype.ensureAvailable = function ensureAvailable(this: EncoderInstance, length: number): void {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  tuning.encoder = true;
  return tuning;
}

interface EncoderInstance {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
  writeInt8(value: number): EncoderInstance;
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

    // Only written bytes are ever read (`buffer` slices up to the offset), so the buffer need not be zeroed.
    const encoder = Object.create(Encoder.prototype) as EncoderInstance;
    encoder.buf = Buffer.allocUnsafe(Encoder.sizeOfVarInt(bodySize) + bodySize);
    encoder.offset = 0;
    encoder.writeVarInt(bodySize).writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value);
    encoder.writeVarInt(headerList.length);
    for (const header of headerList) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
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
