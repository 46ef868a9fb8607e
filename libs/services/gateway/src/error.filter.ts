import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger, Metrics } from '@faultline/observability';
import { GatewayError, type ErrorBody, type RefusalCode } from './errors';
import { endpointOfRoute } from './tokens';

interface Refusal {
  status: number;
  code: RefusalCode;
  message: string;
  retryAfterSeconds?: number;
}

/** Maps what Fastify and Nest raise themselves (parse errors, body limit, 404) to our codes. */
function fromHttpException(exception: HttpException): Refusal {
  const status = exception.getStatus();
  const message = exception.message;
  switch (status) {
    case 404:
      return { status, code: 'not_found', message };
    case 413:
      return { status, code: 'body_too_large', message: `${message} (the limit applies to the body as sent, compressed or not)` };
    case 415:
      return { status, code: 'unsupported_encoding', message };
    default:
      return status >= 500 ? { status: 500, code: 'internal_error', message: 'internal error' } : { status, code: 'bad_request', message };
  }
}

function toRefusal(exception: unknown): Refusal {
  if (exception instanceof GatewayError) {
    return { status: exception.status, code: exception.code, message: exception.message, retryAfterSeconds: exception.retryAfterSeconds };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  return { status: 500, code: 'internal_error', message: 'internal error' };
}

/**
 * One error shape for every refusal, `{ error: { code, message } }`, with `Retry-After` where
 * trying later helps; and one place that counts refused ingestion requests by code.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const refusal = toRefusal(exception);

    const endpoint = endpointOfRoute(request.routeOptions?.url);
    if (endpoint) this.metrics.ingestRequests.inc({ endpoint, outcome: refusal.code });
    if (refusal.code === 'internal_error') {
      this.logger.error('request failed', { method: request.method, url: request.url, error: exception });
    } else {
      this.logger.debug('request refused', { method: request.method, url: request.url, code: refusal.code, message: refusal.message });
    }

    if (reply.sent) return;
    if (refusal.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(refusal.retryAfterSeconds));
      // Sentry SDKs read this header and back off; empty categories mean all of them.
      if (refusal.code === 'rate_limited') reply.header('x-sentry-rate-limits', `${refusal.retryAfterSeconds}::project`);
    }
    const body: ErrorBody = { error: { code: refusal.code, message: refusal.message } };
    void reply.status(refusal.status).type('application/json; charset=utf-8').send(body);
  }
}
