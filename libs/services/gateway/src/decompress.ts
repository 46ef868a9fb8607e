import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { GatewayError } from './errors';

export type ContentCoding = 'gzip' | 'deflate' | 'br';

/**
 * The codings of a `Content-Encoding` header, in the order they were applied.
 * `identity` is dropped; anything we cannot decode is refused (415).
 */
export function parseContentEncoding(value: string | undefined): ContentCoding[] {
  if (!value) return [];
  const codings: ContentCoding[] = [];
  for (const raw of value.split(',')) {
    const coding = raw.trim().toLowerCase();
    switch (coding) {
      case '':
      case 'identity':
        break;
      case 'gzip':
      case 'x-gzip':
        codings.push('gzip');
        break;
      case 'deflate':
        codings.push('deflate');
        break;
      case 'br':
        codings.push('br');
        break;
      default:
        throw new GatewayError('unsupported_encoding', `Content-Encoding "${coding}" is not supported (gzip, deflate, br)`);
    }
  }
  return codings;
}

/**
 * Undoes `Content-Encoding`, refusing as soon as the output passes `maxBytes`: output is
 * counted chunk by chunk as the decompressor produces it, so a bomb costs at most
 * `maxBytes` of memory and the time to inflate that much, never its full size.
 */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const codings = parseContentEncoding(contentEncoding);
  let data = body;
  // Codings are listed in the order applied; undo them last first.
  for (const coding of codings.reverse()) data = await inflate(data, coding, maxBytes);
  if (codings.length === 0 && data.length > maxBytes) {
    throw new GatewayError('body_too_large', `the body is larger than ${maxBytes} bytes`);
  }
  return data;
}

function inflate(input: Buffer, coding: ContentCoding, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const stream = decompressor(coding, input);
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        settle(() =>
          reject(new GatewayError('decompression_bomb', `the ${coding} body inflates to more than ${maxBytes} bytes; refused`)),
        );
        stream.destroy();
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (error: Error) =>
      settle(() => reject(new GatewayError('invalid_compression', `the body is not valid ${coding}: ${error.message}`, undefined, { cause: error }))),
    );
    stream.on('end', () => settle(() => resolve(Buffer.concat(chunks, total))));
    stream.end(input);
  });
}

const CHUNK = 64 * 1024;

function decompressor(coding: ContentCoding, input: Buffer): Transform {
  switch (coding) {
    case 'gzip':
      return createGunzip({ chunkSize: CHUNK });
    case 'deflate':
      // HTTP "deflate" is zlib-wrapped (RFC 9110), but some clients send raw deflate.
      return hasZlibHeader(input) ? createInflate({ chunkSize: CHUNK }) : createInflateRaw({ chunkSize: CHUNK });
    case 'br':
      return createBrotliDecompress({ chunkSize: CHUNK });
  }
}

function hasZlibHeader(input: Buffer): boolean {
  return input.length >= 2 && (input[0] & 0x0f) === 8 && ((input[0] << 8) | input[1]) % 31 === 0;
}
