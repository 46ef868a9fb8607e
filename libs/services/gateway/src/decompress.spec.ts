import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeBody, parseContentEncoding } from './decompress';
import { GatewayError, type RefusalCode } from './errors';

const MiB = 1024 * 1024;

async function refusal(promise: Promise<unknown>): Promise<RefusalCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a refusal');
}

describe('decodeBody', () => {
  const text = Buffer.from('{"message":"hello"}\n'.repeat(100));

  it('decodes gzip, deflate (zlib and raw), br and stacked codings', async () => {
    assert.deepEqual(await decodeBody(gzipSync(text), 'gzip', MiB), text);
    assert.deepEqual(await decodeBody(gzipSync(text), 'X-GZIP', MiB), text);
    assert.deepEqual(await decodeBody(deflateSync(text), 'deflate', MiB), text);
    assert.deepEqual(await decodeBody(deflateRawSync(text), 'deflate', MiB), text);
    assert.deepEqual(await decodeBody(brotliCompressSync(text), 'br', MiB), text);
    assert.deepEqual(await decodeBody(brotliCompressSync(gzipSync(text)), 'gzip, br', MiB), text);
    assert.deepEqual(await decodeBody(text, undefined, MiB), text);
    assert.deepEqual(await decodeBody(text, 'identity', MiB), text);
  });

  it('refuses unknown codings and corrupt data', async () => {
    assert.throws(() => parseContentEncoding('zstd'), (e: unknown) => e instanceof GatewayError && e.code === 'unsupported_encoding');
    assert.equal(await refusal(decodeBody(Buffer.from('not gzip at all'), 'gzip', MiB)), 'invalid_compression');
    assert.equal(await refusal(decodeBody(gzipSync(text).subarray(0, 20), 'gzip', MiB)), 'invalid_compression');
  });

  it('refuses a plain body over the decompressed limit', async () => {
    assert.equal(await refusal(decodeBody(Buffer.alloc(2 * MiB), undefined, MiB)), 'body_too_large');
  });

  it('accepts output exactly at the limit', async () => {
    const exact = Buffer.alloc(MiB, 0x61);
    assert.equal((await decodeBody(gzipSync(exact), 'gzip', MiB)).length, MiB);
  });

  for (const [coding, compress] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', (input: Buffer) => brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })],
  ] as const) {
    it(`refuses a ${coding} bomb quickly, without inflating it`, async () => {
      // 50 MiB of zeros compresses to ~50 KB (gzip) or less: a small body that would be a large one.
      const bomb = compress(Buffer.alloc(50 * MiB));
      assert.ok(bomb.length < 100 * 1024, `${coding} bomb is ${bomb.length} bytes`);
      const before = process.memoryUsage().arrayBuffers;
      const started = performance.now();
      assert.equal(await refusal(decodeBody(bomb, coding, MiB)), 'decompression_bomb');
      const elapsedMs = performance.now() - started;
      const grownBy = process.memoryUsage().arrayBuffers - before;
      assert.ok(elapsedMs < 1000, `refused after ${elapsedMs.toFixed(0)} ms`);
      // Inflating fully would hold 50 MiB; stopping at the 1 MiB limit holds about that.
      assert.ok(grownBy < 16 * MiB, `buffers grew by ${(grownBy / MiB).toFixed(1)} MiB`);
    });
  }
});
