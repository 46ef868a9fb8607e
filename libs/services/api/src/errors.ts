import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import type { z } from 'zod';
import type { ErrorBody } from './contracts';
import { API_PREFIX } from './routes';

/**
 * Every way the API refuses a request, with its HTTP status: one table, so a code cannot exist
 * without a status. Clients branch on the code; the message is for people.
 */
const STATUS = {
  validation_failed: 400,
  invalid_cursor: 400,
  invalid_json: 400,
  invalid_artifact: 400,
  unauthorized: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  project_forbidden: 403,
  not_found: 404,
  project_not_found: 404,
  cluster_not_found: 404,
  issue_not_found: 404,
  event_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  deploy_conflict: 409,
  not_in_cluster: 409,
  would_empty_cluster: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  kafka_unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof STATUS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.status = STATUS[code];
  }
}

/** Parses input with a contract schema; a mismatch is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'path' | 'query' | 'header' | 'body'): z.infer<S> {
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ in: where, path: i.path.join('.'), message: i.message }));
  throw new ApiError('validation_failed', `invalid ${where}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
}

/** HTTP statuses Nest or Fastify raise themselves (unknown route, body parsing), as our codes. */
function codeOfStatus(status: number, fastifyCode: string | undefined): ApiErrorCode {
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'invalid_json';
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthorized';
    case 403:
      return 'insufficient_scope';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'internal_error';
  }
}

export function toErrorBody(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof ApiError) {
    const error: ErrorBody['error'] = { code: exception.code, message: exception.message };
    if (exception.details !== undefined) error.details = exception.details;
    return { status: exception.status, body: { error } };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Fastify's own errors (body parsing, size limits) arrive wrapped, their FST_ code in the cause.
    const cause = exception.cause as { code?: unknown } | undefined;
    const code = codeOfStatus(status, typeof cause?.code === 'string' ? cause.code : undefined);
    return { status: STATUS[code], body: { error: { code, message: status >= 500 ? 'internal error' : exception.message } } };
  }
  // Unwrapped HTTP errors (a 4xx statusCode and an FST_ code).
  const e = exception as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = codeOfStatus(e.statusCode, typeof e.code === 'string' ? e.code : undefined);
    return { status: STATUS[code], body: { error: { code, message: typeof e.message === 'string' ? e.message : code } } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'internal error' } } };
}

/**
 * The one error shape of the API: `{ "error": { "code", "message", "details"? } }`.
 * Bound to the API's controllers, and app-wide (APP_FILTER) so that unmatched routes and
 * unparseable bodies under /api/v1 answer the same way; any other path (ops routes, other
 * modules of the host) gets Nest's standard body, as if this filter were not there.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger'>) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (reply.sent) return;
    const url = request?.url ?? '';
    if (!url.startsWith(`${API_PREFIX}/`) && url !== API_PREFIX && !url.startsWith(`${API_PREFIX}?`)) {
      this.outsideApi(exception, reply);
      return;
    }
    const { status, body } = toErrorBody(exception);
    if (status >= 500) {
      const cause = exception instanceof Error && exception.cause instanceof Error ? exception.cause.message : undefined;
      this.runtime.logger.error('api request failed', { method: request?.method, url, code: body.error.code, error: exception, cause });
    }
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="faultline"');
    void reply.status(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
  }

  /** Outside the API: Nest's standard body (what BaseExceptionFilter sends). */
  private outsideApi(exception: unknown, reply: FastifyReply): void {
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const status = exception.getStatus();
      void reply.status(status).send(typeof response === 'object' ? response : { statusCode: status, message: response });
      return;
    }
    this.runtime.logger.error('request failed', { error: exception });
    void reply.status(500).send({ statusCode: 500, message: 'Internal server error' });
  }
}
