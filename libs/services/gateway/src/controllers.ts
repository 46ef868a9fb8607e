import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Metrics } from '@faultline/observability';
import type { HeaderBag, QueryBag } from './auth';
import { GatewayError } from './errors';
import { IngestService, type IngestRequest, type NativeAccepted, type SentryAccepted } from './ingest.service';
import type { ReportPublisher } from './publisher';
import { REPORT_PUBLISHER, ROUTES } from './tokens';

function ingestRequest(projectId: string, request: FastifyRequest): IngestRequest {
  return {
    projectId,
    headers: request.headers as HeaderBag,
    query: (request.query ?? {}) as QueryBag,
    // The catch-all content-type parser keeps every body as raw bytes (see useRawBodies).
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
    clientIp: request.ip ?? null,
  };
}

/** The Sentry ingestion API, so unmodified Sentry SDKs work by changing their DSN. */
@Controller()
export class SentryController {
  constructor(private readonly ingest: IngestService) {}

  @Post(ROUTES.envelope)
  @HttpCode(200)
  envelope(@Param('projectId') projectId: string, @Req() request: FastifyRequest): Promise<SentryAccepted> {
    return this.ingest.envelope(ingestRequest(projectId, request));
  }

  @Post(ROUTES.store)
  @HttpCode(200)
  store(@Param('projectId') projectId: string, @Req() request: FastifyRequest): Promise<SentryAccepted> {
    return this.ingest.store(ingestRequest(projectId, request));
  }
}

/** Faultline's own ingestion API: native events and plain-text logs. */
@Controller()
export class NativeController {
  constructor(private readonly ingest: IngestService) {}

  @Post(ROUTES.native_events)
  @HttpCode(200)
  events(@Param('project') project: string, @Req() request: FastifyRequest): Promise<NativeAccepted> {
    return this.ingest.nativeEvents(ingestRequest(project, request));
  }

  @Post(ROUTES.logs)
  @HttpCode(200)
  logs(@Param('project') project: string, @Req() request: FastifyRequest): Promise<NativeAccepted> {
    return this.ingest.logs(ingestRequest(project, request));
  }
}

@Controller()
export class HealthController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(REPORT_PUBLISHER) private readonly publisher: ReportPublisher,
  ) {}

  @Get('metrics')
  async text(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.type(this.metrics.contentType);
    return this.metrics.text();
  }

  /** The process answers: restart it only when this fails. */
  @Get('health/live')
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /** Reports can be made durable now: route traffic here only while this succeeds. */
  @Get('health/ready')
  ready(): { status: 'ready' } {
    if (!this.publisher.isReady()) throw new GatewayError('not_ready', 'Kafka is not reachable: reports cannot be acknowledged');
    return { status: 'ready' };
  }
}
