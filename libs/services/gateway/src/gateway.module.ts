import { Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { FaultlineConfig } from '@faultline/config';
import { Logger, Metrics } from '@faultline/observability';
import { HealthController, NativeController, SentryController } from './controllers';
import { GatewayExceptionFilter } from './error.filter';
import { IngestService } from './ingest.service';
import { ConfigProjectStore, type ProjectStore } from './project-store';
import type { ReportPublisher } from './publisher';
import { GATEWAY_SETTINGS, PROJECT_STORE, REPORT_PUBLISHER } from './tokens';

export interface GatewayModuleOptions {
  config: Pick<FaultlineConfig, 'gateway' | 'projects'>;
  metrics: Metrics;
  logger: Logger;
  /** Where accepted reports go: a KafkaReportPublisher in production. The caller owns (and closes) it. */
  publisher: ReportPublisher;
  /** Defaults to the projects from config. */
  projectStore?: ProjectStore;
}

@Module({})
export class GatewayModule {
  static register(options: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [SentryController, NativeController, HealthController],
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: options.config.gateway },
        { provide: Metrics, useValue: options.metrics },
        { provide: Logger, useValue: options.logger },
        { provide: REPORT_PUBLISHER, useValue: options.publisher },
        { provide: PROJECT_STORE, useValue: options.projectStore ?? new ConfigProjectStore(options.config.projects) },
        { provide: APP_FILTER, useClass: GatewayExceptionFilter },
        IngestService,
      ],
    };
  }
}

/**
 * Replaces Fastify's body parsers with one catch-all that keeps the raw bytes, bounded by
 * `maxBodyBytes` as sent (compressed or not): decompression and parsing happen in our code,
 * where their limits are enforced. Content types are not trusted: SDKs send envelopes as
 * application/x-sentry-envelope, text/plain or application/json.
 */
export function useRawBodies(fastify: FastifyInstance, maxBodyBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));
}

export type GatewayDeps = Omit<GatewayModuleOptions, 'config'>;

export interface RunningGateway {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  app: NestFastifyApplication;
  /** Stops accepting, finishes requests in flight. The publisher is the caller's to close afterwards. */
  close(): Promise<void>;
}

/** Builds the Nest application (Fastify, raw bodies, CORS) without listening: for tests and embedding. */
export async function createGatewayApp(config: Pick<FaultlineConfig, 'gateway' | 'projects'>, deps: GatewayDeps): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.gateway.maxBodyBytes,
    // SDKs post to /api/<id>/envelope/ with a trailing slash.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register({ config, ...deps }), adapter, {
    bodyParser: false,
    abortOnError: false,
    logger: new NestLogger(deps.logger.child('nest')),
  });
  useRawBodies(app.getHttpAdapter().getInstance(), config.gateway.maxBodyBytes);
  // Browser SDKs post cross-origin; ingest keys are public, so any origin may send.
  app.enableCors({
    origin: '*',
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'content-encoding', 'x-sentry-auth', 'authorization', 'x-faultline-key', 'x-faultline-source'],
    exposedHeaders: ['retry-after', 'x-sentry-rate-limits'],
    maxAge: 3600,
  });
  return app;
}

/** Starts the gateway on `config.gateway.host:port` (port 0 picks a free one). */
export async function startGateway(config: Pick<FaultlineConfig, 'gateway' | 'projects'>, deps: GatewayDeps): Promise<RunningGateway> {
  const app = await createGatewayApp(config, deps);
  try {
    await app.listen(config.gateway.port, config.gateway.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = await app.getUrl();
  deps.logger.info('gateway listening', { url, projects: config.projects.length });
  return { url, app, close: () => app.close() };
}

/** Nest's own log lines, into our structured log. Its routine start-up chatter is debug. */
class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), context(rest));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error(String(message), context(rest));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn(String(message), context(rest));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), context(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), context(rest));
  }
}

function context(rest: unknown[]): Record<string, unknown> | undefined {
  return rest.length > 0 ? { nest: rest.map((r) => (r instanceof Error ? r.message : String(r))) } : undefined;
}
