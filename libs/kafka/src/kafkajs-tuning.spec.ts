import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32c, tuneKafkajs } from './kafkajs-tuning';

const kafkajsRequire = createRequire(require.resolve('kafkajs/package.json'));

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
    assert.deepEqual(tuning, { version: '2.2.4', encoder: true, crc32c: true });
    assert.equal(tuneKafkajs(), tuning, 'applied once');
    assert.equal(kafkajsRequire('./src/protocol/recordBatch/crc32C/index.js'), crc32c);

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
});
