import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Logger, Metrics } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';
import {
  header,
  keyFromDsn,
  keysEqual,
  nativeCredentials,
  sentryCredentials,
  type Credentials,
  type HeaderBag,
  type QueryBag,
} from './auth';
import { decodeBody } from './decompress';
import { parseEnvelope } from './envelope';
import { GatewayError } from './errors';
import { splitNativeEvents } from './native';
import type { Project, ProjectStore } from './project-store';
import { PublishUnavailableError, ReportTooLargeError, type ReportPublisher } from './publisher';
import { TokenBucketLimiter } from './rate-limiter';
import { GATEWAY_SETTINGS, PROJECT_STORE, REPORT_PUBLISHER, type GatewaySettings, type IngestEndpoint } from './tokens';

/** What a controller hands over: the request as received, body still raw bytes. */
export interface IngestRequest {
  projectId: string;
  headers: HeaderBag;
  query: QueryBag;
  body: Buffer | undefined;
  clientIp: string | null;
}

export interface SentryAccepted {
  id: string | null;
}

export interface NativeAccepted {
  accepted: number;
  ids: string[];
}

/** Seconds a client should wait after a 503 for Kafka: long enough for a broker restart to make progress. */
const RETRY_AFTER_UNAVAILABLE_SECONDS = 10;

/**
 * Item types Sentry SDKs send besides `event`. They are accepted and counted as ignored; any
 * other type is counted as `other`, so a client cannot grow the metric's label set.
 */
const KNOWN_ITEM_TYPES = new Set([
  'transaction',
  'attachment',
  'session',
  'sessions',
  'client_report',
  'check_in',
  'replay_event',
  'replay_recording',
  'replay_video',
  'log',
  'otel_log',
  'profile',
  'profile_chunk',
  'span',
  'otel_span',
  'trace_metric',
  'statsd',
  'metric_meta',
  'user_report',
  'feedback',
  'raw_security',
  'nel',
]);

/**
 * The gateway's request flow, the same for every endpoint:
 * authenticate → early rate check → decompress (bounded) → split into reports → count limit
 * → take rate tokens → publish (acks=all) → 200. Any refusal is a GatewayError.
 */
@Injectable()
export class IngestService {
  private readonly limiter: TokenBucketLimiter;

  constructor(
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(REPORT_PUBLISHER) private readonly publisher: ReportPublisher,
    @Inject(PROJECT_STORE) private readonly projects: ProjectStore,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.limiter = new TokenBucketLimiter(settings.rateLimitPerMinute);
  }

  /** `POST /api/:projectId/envelope/`: each `event` item is one report; other items are ignored. */
  async envelope(request: IngestRequest): Promise<SentryAccepted> {
    const credentials = sentryCredentials(request.headers, request.query);
    // Without a key in the request (e.g. behind a Sentry tunnel), the envelope header's DSN is
    // the credential, so the body is read first; it is bounded like any other body.
    let project = credentials ? await this.authenticate(request.projectId, credentials, SENTRY_HINT) : null;
    if (project) this.peekRate(project);
    const body = await this.body(request);
    const parsed = parseEnvelope(body);
    if (!parsed.ok) throw new GatewayError('invalid_envelope', parsed.reason);
    const { header: envelopeHeader, items } = parsed.envelope;
    if (!project) {
      const dsnKey = typeof envelopeHeader['dsn'] === 'string' ? keyFromDsn(envelopeHeader['dsn']) : null;
      project = await this.authenticate(request.projectId, dsnKey ? { publicKey: dsnKey, source: 'envelope-dsn', client: null } : null, SENTRY_HINT);
    }

    const events = items.filter((item) => item.type === 'event');
    this.checkCount(events.length);
    const envelopeEventId = stringField(envelopeHeader, 'event_id');
    const sdk = credentials?.client ?? sdkOf(envelopeHeader['sdk']) ?? header(request.headers, 'user-agent') ?? null;
    const reports = events.map((item, index) => {
      const payload = item.payload.toString('utf8');
      const reportId = eventIdOf(payload) ?? (index === 0 ? envelopeEventId : null) ?? newEventId();
      return this.report(project, 'sentry_event', reportId, 'sentry/envelope', payload, request, sdk);
    });
    await this.accept(project, 'envelope', reports, items.filter((item) => item.type !== 'event').map((item) => item.type));
    return { id: reports[0]?.reportId ?? envelopeEventId };
  }

  /** `POST /api/:projectId/store/`: the legacy endpoint, one event JSON as the body. */
  async store(request: IngestRequest): Promise<SentryAccepted> {
    const credentials = sentryCredentials(request.headers, request.query);
    const project = await this.authenticate(request.projectId, credentials, SENTRY_HINT);
    this.peekRate(project);
    const payload = (await this.body(request)).toString('utf8');
    const sdk = credentials?.client ?? header(request.headers, 'user-agent') ?? null;
    // Not JSON is forwarded too: the normalizer dead-letters it with a reason and its bytes.
    const report = this.report(project, 'sentry_event', eventIdOf(payload) ?? newEventId(), 'sentry/store', payload, request, sdk);
    await this.accept(project, 'store', [report], []);
    return { id: report.reportId };
  }

  /** `POST /api/v1/projects/:project/events`: a JSON array, one object, or NDJSON of native events. */
  async nativeEvents(request: IngestRequest): Promise<NativeAccepted> {
    const project = await this.authenticate(request.projectId, nativeCredentials(request.headers, request.query), NATIVE_HINT);
    this.peekRate(project);
    const split = splitNativeEvents((await this.body(request)).toString('utf8'));
    if (!split.ok) throw new GatewayError('invalid_json', split.reason);
    if (split.events.length === 0) throw new GatewayError('empty_body', 'the body holds no events');
    this.checkCount(split.events.length);
    const sdk = header(request.headers, 'user-agent') ?? null;
    const reports = split.events.map((event) =>
      this.report(project, 'native_event', event.id ?? randomUUID(), 'native/events', event.text, request, sdk),
    );
    await this.accept(project, 'native_events', reports, []);
    return { accepted: reports.length, ids: reports.map((r) => r.reportId) };
  }

  /** `POST /api/v1/projects/:project/logs`: a plain-text log or console dump, kept whole as one report. */
  async logs(request: IngestRequest): Promise<NativeAccepted> {
    const project = await this.authenticate(request.projectId, nativeCredentials(request.headers, request.query), NATIVE_HINT);
    this.peekRate(project);
    const text = (await this.body(request)).toString('utf8');
    const reportId = randomUUID();
    const sourceName = sanitizeSourceName(header(request.headers, 'x-faultline-source')) ?? `logs/${reportId}`;
    const report = this.report(project, 'log_text', reportId, sourceName, text, request, header(request.headers, 'user-agent') ?? null);
    await this.accept(project, 'logs', [report], []);
    return { accepted: 1, ids: [reportId] };
  }

  /** The same refusal whether the project is unknown or the key is wrong: the answer reveals neither. */
  private async authenticate(projectId: string, credentials: Credentials | null, hint: string): Promise<Project> {
    if (!credentials) throw new GatewayError('unauthorized', `no public key; ${hint}`);
    const project = await this.projects.get(projectId);
    const valid = keysEqual(project?.publicKey ?? '', credentials.publicKey);
    if (!project || !valid) throw new GatewayError('unauthorized', `the public key is not valid for project "${projectId}"`);
    return project;
  }

  private peekRate(project: Project): void {
    const decision = this.limiter.peek(project.id);
    if (decision.kind === 'limited') throw rateLimited(project, decision.retryAfterSeconds);
  }

  private async body(request: IngestRequest): Promise<Buffer> {
    if (!request.body || request.body.length === 0) throw new GatewayError('empty_body', 'the request has no body');
    const body = await decodeBody(request.body, header(request.headers, 'content-encoding'), this.settings.maxDecompressedBytes);
    if (body.length === 0) throw new GatewayError('empty_body', 'the request body is empty after decompression');
    return body;
  }

  private checkCount(count: number): void {
    const max = this.settings.maxEventsPerRequest;
    if (max > 0 && count > max) {
      throw new GatewayError('too_many_events', `${count} events in one request; at most ${max} are accepted: split the batch`);
    }
  }

  private async accept(project: Project, endpoint: IngestEndpoint, reports: RawReport[], ignoredTypes: string[]): Promise<void> {
    const decision = this.limiter.take(project.id, reports.length);
    if (decision.kind === 'limited') throw rateLimited(project, decision.retryAfterSeconds);
    if (reports.length > 0) {
      try {
        await this.publisher.publish(reports);
      } catch (error) {
        if (error instanceof ReportTooLargeError) throw new GatewayError('report_too_large', error.message);
        if (error instanceof PublishUnavailableError) {
          this.logger.warn('reports refused with 503: Kafka unavailable', { project: project.id, endpoint, reports: reports.length, error });
          throw new GatewayError('kafka_unavailable', 'the event store is unavailable; retry later', RETRY_AFTER_UNAVAILABLE_SECONDS, { cause: error });
        }
        throw error;
      }
    }
    if (reports.length > 0) this.metrics.events.inc({ stage: 'gateway', outcome: 'processed', reason: 'none' }, reports.length);
    for (const type of ignoredTypes) {
      this.metrics.events.inc({ stage: 'gateway', outcome: 'ignored', reason: KNOWN_ITEM_TYPES.has(type) ? type : 'other' });
    }
    this.metrics.ingestRequests.inc({ endpoint, outcome: 'accepted' });
  }

  private report(
    project: Project,
    kind: RawReport['kind'],
    reportId: string,
    sourceName: string,
    payload: string,
    request: IngestRequest,
    sdk: string | null,
  ): RawReport {
    return { reportId, project: project.id, kind, receivedAt: new Date().toISOString(), sourceName, payload, clientIp: request.clientIp, sdk };
  }
}

const SENTRY_HINT = 'send X-Sentry-Auth: Sentry sentry_key=<public key>, or ?sentry_key=<public key>';
const NATIVE_HINT = 'send Authorization: Bearer <public key>, X-Faultline-Key: <public key>, or ?sentry_key=<public key>';

function rateLimited(project: Project, retryAfterSeconds: number): GatewayError {
  return new GatewayError('rate_limited', `project "${project.id}" is over its rate limit; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
}

/** Sentry event ids are 32 hex digits (a UUID without dashes). */
function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}

function eventIdOf(payload: string): string | null {
  try {
    const event: unknown = JSON.parse(payload);
    return typeof event === 'object' && event !== null ? stringField(event as Record<string, unknown>, 'event_id') : null;
  } catch {
    return null;
  }
}

function stringField(object: Record<string, unknown>, field: string): string | null {
  const value = object[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

function sdkOf(sdk: unknown): string | null {
  if (typeof sdk !== 'object' || sdk === null) return null;
  const { name, version } = sdk as Record<string, unknown>;
  if (typeof name !== 'string') return null;
  return typeof version === 'string' ? `${name}/${version}` : name;
}

/**
 * A client-chosen source name becomes part of record ids and may be shown in the UI: keep it
 * to a safe path-like alphabet, without leading slashes or `..` segments, and short.
 */
export function sanitizeSourceName(value: string | undefined): string | null {
  if (!value) return null;
  const cleaned = value
    .replace(/[^A-Za-z0-9._\-/:@]+/g, '_')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .join('/')
    .slice(0, 200);
  return cleaned === '' ? null : cleaned;
}
