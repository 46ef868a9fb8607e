import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Readable } from 'node:stream';
import { ApiError } from './errors';
import { RAW_UPLOAD } from './routes';

/**
 * Upload routes (`upload` in the route table) get their body as the unread request stream,
 * whatever its Content-Type:
 *  - the guard runs before a byte is read, so a client without a token cannot make the API buffer
 *    a 64 MiB body;
 *  - their size limit is their own (ARTIFACT_MAX_BYTES), while every JSON route keeps Fastify's
 *    1 MiB body limit;
 *  - the stored bytes are exactly the uploaded ones (Fastify would parse JSON and decode text).
 * Fastify picks a body parser by Content-Type alone, so an onRequest hook of those routes only puts
 * the client's Content-Type aside and names a private type whose parser hands the stream over.
 */
const PASSTHROUGH_TYPE = 'application/x-faultline-raw-upload';
const SENT_CONTENT_TYPE = Symbol('faultline.api.sentContentType');

type UploadRequest = FastifyRequest & { [SENT_CONTENT_TYPE]?: string | null };

/** Installed by ApiModule when the app is created, before Nest registers the routes. */
@Injectable()
export class RawUploadSupport {
  constructor(@Inject(HttpAdapterHost) host: HttpAdapterHost) {
    const adapter = host.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    // No HTTP server (a standalone application context): no routes to prepare.
    if (adapter === undefined) return;
    if (adapter.getType() !== 'fastify') throw new Error('the Faultline API needs the Fastify adapter (@nestjs/platform-fastify)');
    installRawUploads(adapter.getInstance<FastifyInstance>());
  }
}

export function installRawUploads(fastify: FastifyInstance): void {
  if (!fastify.hasContentTypeParser(PASSTHROUGH_TYPE)) {
    fastify.addContentTypeParser(PASSTHROUGH_TYPE, (_request, payload, done) => done(null, payload));
  }
  fastify.addHook('onRoute', (route) => {
    if ((route.config as Record<string, unknown> | undefined)?.[RAW_UPLOAD] !== true) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, keepBodyUnread];
  });
}

const keepBodyUnread: onRequestHookHandler = (request, _reply, done) => {
  const upload = request as UploadRequest;
  // Twice on one route (the module registered twice): the first one already put the type aside.
  if (!(SENT_CONTENT_TYPE in upload)) {
    upload[SENT_CONTENT_TYPE] = request.headers['content-type'] ?? null;
    request.headers['content-type'] = PASSTHROUGH_TYPE;
  }
  done();
};

/**
 * Refuses what an upload route cannot take, before its body is read: a media type outside the
 * route's list (none at all is fine: a file is a file), multipart forms, compressed bodies.
 */
export function checkUploadMediaType(request: FastifyRequest, accepted: readonly string[]): void {
  const sent = (request as UploadRequest)[SENT_CONTENT_TYPE] ?? null;
  const mediaType = sent?.split(';')[0].trim().toLowerCase() ?? '';
  const send = `send the file itself as the body, as ${accepted.join(', ')}`;
  if (mediaType === 'multipart/form-data') {
    throw new ApiError('unsupported_media_type', `multipart uploads are not supported: ${send}, one file per request`);
  }
  if (mediaType !== '' && !accepted.includes(mediaType)) {
    throw new ApiError('unsupported_media_type', `Content-Type ${mediaType} is not accepted: ${send}`);
  }
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new ApiError('unsupported_media_type', `Content-Encoding ${encoding} is not supported: send the file uncompressed`);
  }
}

/**
 * Reads an upload route's body, at most `maxBytes` of it: a declared Content-Length over the limit
 * is refused before reading, a longer stream as soon as it passes the limit (the rest is discarded).
 */
export function readUpload(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const stream = request.body as Readable | undefined;
  if (typeof stream?.on !== 'function') return Promise.reject(new Error('readUpload on a route that is not an upload route'));
  const tooLarge = () => new ApiError('payload_too_large', `the upload is over the artifact size limit of ${maxBytes} bytes`, { limit: maxBytes });
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        // Drained, not destroyed: destroying the request would close the socket before the 413 is sent.
        stream.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: unknown) => {
      stop();
      reject(new ApiError('validation_failed', 'the upload ended before its last byte', undefined, { cause: error }));
    };
    const onClose = () => onError(new Error('connection closed'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
