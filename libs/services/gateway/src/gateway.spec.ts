/**
 * The HTTP surface against an in-memory publisher: routes, auth, limits and the one error
 * shape, without a broker. The real-broker path is tests/e2e/gateway.e2e.test.ts.
 */
import 'reflect-metadata';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '@faultline/config';
import { Logger, Metrics } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';
import { startGateway, type RunningGateway } from './gateway.module';
import { PublishUnavailableError, type ReportPublisher } from './publisher';

const KEY = 'key-42-0123456789abcdef';
const OTHER_KEY = 'key-web-0123456789abcdef';
const LIMITED_KEY = 'key-limited-0123456789ab';

class MemoryPublisher implements ReportPublisher {
  sent: RawReport[] = [];
  down = false;
  publish(reports: RawReport[]): Promise<void> {
    if (this.down) return Promise.reject(new PublishUnavailableError('broker down'));
    this.sent.push(...reports);
    return Promise.resolve();
  }
  isReady(): boolean {
    return !this.down;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('gateway HTTP surface', () => {
  const config = loadConfig(
    {
      GATEWAY_PORT: '0',
      GATEWAY_MAX_BODY_BYTES: String(64 * 1024),
      GATEWAY_MAX_DECOMPRESSED_BYTES: String(1024 * 1024),
      GATEWAY_MAX_EVENTS_PER_REQUEST: '5',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000',
      FAULTLINE_PROJECTS: JSON.stringify([
        { id: '42', publicKey: KEY },
        { id: 'web', publicKey: OTHER_KEY },
      ]),
    },
    {},
  );
  const publisher = new MemoryPublisher();
  const metrics = new Metrics({ defaultMetrics: false });
  let gateway: RunningGateway;

  before(async () => {
    gateway = await startGateway(config, { metrics, logger: new Logger('gateway-spec', 'error'), publisher });
  });
  after(async () => {
    await gateway?.close();
  });
  beforeEach(() => {
    publisher.sent = [];
    publisher.down = false;
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });
  const envelope = (...items: Array<[Record<string, unknown>, string]>) =>
    [JSON.stringify({ event_id: 'e'.repeat(32) }), ...items.flatMap(([h, p]) => [JSON.stringify(h), p])].join('\n') + '\n';
  const sentryAuth = { 'x-sentry-auth': `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=test/1.0` };

  async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(body), ['error']);
    assert.equal(typeof body.error.message, 'string');
    return { status: response.status, code: body.error.code, message: body.error.message };
  }

  it('ingests envelope events, answers like Sentry, and counts other items as ignored', async () => {
    const body = envelope(
      [{ type: 'event' }, JSON.stringify({ event_id: 'a'.repeat(32), message: 'one' })],
      [{ type: 'session' }, '{"sid":"s"}'],
      [{ type: 'attachment', length: 3 }, 'a\nb'],
      [{ type: 'made_up_type' }, '{}'],
    );
    const response = await post('/api/42/envelope/', body, { ...sentryAuth, 'content-type': 'application/x-sentry-envelope' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'a'.repeat(32) });
    assert.equal(publisher.sent.length, 1);
    const [report] = publisher.sent;
    assert.equal(report.kind, 'sentry_event');
    assert.equal(report.project, '42');
    assert.equal(report.sdk, 'test/1.0');
    assert.equal(JSON.parse(report.payload).message, 'one');
    const text = await metrics.text();
    assert.match(text, /faultline_events_total\{stage="gateway",outcome="ignored",reason="session"\} 1/);
    assert.match(text, /faultline_events_total\{stage="gateway",outcome="ignored",reason="attachment"\} 1/);
    assert.match(text, /faultline_events_total\{stage="gateway",outcome="ignored",reason="other"\} 1/);
  });

  it('answers 200 for an envelope of ignored items only, publishing nothing', async () => {
    const response = await post(`/api/42/envelope/?sentry_key=${KEY}`, envelope([{ type: 'client_report' }, '{}']), { 'content-type': 'text/plain' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'e'.repeat(32) });
    assert.equal(publisher.sent.length, 0);
  });

  it('forwards a malformed event item rather than losing it', async () => {
    const response = await post(`/api/42/envelope/?sentry_key=${KEY}`, envelope([{ type: 'event' }, '{"message": oops']));
    assert.equal(response.status, 200);
    assert.equal(publisher.sent[0].payload, '{"message": oops');
    assert.equal(publisher.sent[0].reportId, 'e'.repeat(32));
  });

  it('takes the key from the envelope header DSN when the request has none (Sentry tunnels)', async () => {
    const body = `${JSON.stringify({ dsn: `http://${KEY}@127.0.0.1/42` })}\n{"type":"event"}\n{}\n`;
    const response = await post('/api/42/envelope/', body);
    assert.equal(response.status, 200);
    assert.equal(publisher.sent.length, 1);
    assert.match(publisher.sent[0].reportId, /^[0-9a-f]{32}$/);
  });

  it('refuses missing, wrong and other projects’ keys with 401', async () => {
    const body = envelope([{ type: 'event' }, '{}']);
    for (const [path, headers] of [
      ['/api/42/envelope/', {}],
      ['/api/42/envelope/?sentry_key=wrong-key-0123456789', {}],
      [`/api/42/envelope/?sentry_key=${OTHER_KEY}`, {}],
      [`/api/unknown/envelope/?sentry_key=${KEY}`, {}],
      ['/api/v1/projects/42/events', { authorization: `Bearer ${OTHER_KEY}` }],
    ] as const) {
      const error = await errorOf(await post(path, body, headers));
      assert.equal(error.status, 401, path);
      assert.equal(error.code, 'unauthorized');
    }
    assert.equal(publisher.sent.length, 0);
  });

  it('refuses a broken envelope with 400', async () => {
    const error = await errorOf(await post(`/api/42/envelope/?sentry_key=${KEY}`, '{}\n{"type":"event","length":99}\n{}'));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_envelope');
    assert.match(error.message, /declares 99 bytes/);
  });

  it('ingests the store endpoint, gzip-compressed', async () => {
    const event = JSON.stringify({ event_id: 'b'.repeat(32), exception: { values: [{ type: 'Error', value: 'x' }] } });
    const response = await post('/api/42/store/', gzipSync(event), { ...sentryAuth, 'content-encoding': 'gzip', 'content-type': 'application/json' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'b'.repeat(32) });
    assert.equal(publisher.sent[0].payload, event);
  });

  it('refuses bodies too large as sent, bombs, and unknown encodings', async () => {
    const big = await errorOf(await post(`/api/42/store/?sentry_key=${KEY}`, 'x'.repeat(70 * 1024)));
    assert.deepEqual([big.status, big.code], [413, 'body_too_large']);
    const bomb = await errorOf(await post(`/api/42/store/?sentry_key=${KEY}`, gzipSync(Buffer.alloc(8 * 1024 * 1024)), { 'content-encoding': 'gzip' }));
    assert.deepEqual([bomb.status, bomb.code], [413, 'decompression_bomb']);
    const zstd = await errorOf(await post(`/api/42/store/?sentry_key=${KEY}`, 'x', { 'content-encoding': 'zstd' }));
    assert.deepEqual([zstd.status, zstd.code], [415, 'unsupported_encoding']);
    const empty = await errorOf(await post(`/api/42/store/?sentry_key=${KEY}`, ''));
    assert.deepEqual([empty.status, empty.code], [400, 'empty_body']);
  });

  it('ingests native NDJSON and arrays, refusing too many events', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const ndjson = await post('/api/v1/projects/42/events', '{"id":"n1"}\n{"id":"n2"}\n', { ...auth, 'content-type': 'application/x-ndjson' });
    assert.equal(ndjson.status, 200);
    assert.deepEqual(await ndjson.json(), { accepted: 2, ids: ['n1', 'n2'] });
    const array = await post('/api/v1/projects/42/events', '[{"id":"n3"},{"x":1}]', { 'x-faultline-key': KEY, 'content-type': 'application/json' });
    assert.equal(array.status, 200);
    assert.deepEqual(
      publisher.sent.map((r) => [r.kind, r.payload]),
      [
        ['native_event', '{"id":"n1"}'],
        ['native_event', '{"id":"n2"}'],
        ['native_event', '{"id":"n3"}'],
        ['native_event', '{"x":1}'],
      ],
    );
    const tooMany = await errorOf(await post('/api/v1/projects/42/events', JSON.stringify([1, 2, 3, 4, 5, 6].map((id) => ({ id }))), auth));
    assert.deepEqual([tooMany.status, tooMany.code], [413, 'too_many_events']);
    const broken = await errorOf(await post('/api/v1/projects/42/events', '[{"id":', auth));
    assert.deepEqual([broken.status, broken.code], [400, 'invalid_json']);
    assert.equal(publisher.sent.length, 4);
  });

  it('ingests a log as one report, naming its source', async () => {
    const text = '2026-11-20T10:00:00.123Z ERROR [api] boom\n    at f (a.js:1:2)\n';
    const named = await post('/api/v1/projects/42/logs', text, { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain', 'x-faultline-source': '/var/log/../api.log' });
    assert.equal(named.status, 200);
    const anonymous = await post(`/api/v1/projects/42/logs?sentry_key=${KEY}`, text, { 'content-type': 'text/plain' });
    const { ids } = (await anonymous.json()) as { ids: string[] };
    assert.deepEqual(
      publisher.sent.map((r) => [r.kind, r.sourceName, r.payload]),
      [
        ['log_text', 'var/log/api.log', text],
        ['log_text', `logs/${ids[0]}`, text],
      ],
    );
  });

  it('answers 503 with Retry-After when the publisher cannot make reports durable, and is not ready', async () => {
    publisher.down = true;
    const response = await post(`/api/42/store/?sentry_key=${KEY}`, '{}');
    assert.equal(response.headers.get('retry-after'), '10');
    const error = await errorOf(response);
    assert.deepEqual([error.status, error.code], [503, 'kafka_unavailable']);
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal((await errorOf(ready)).code, 'not_ready');
    assert.equal((await fetch(`${gateway.url}/health/live`)).status, 200);
  });

  it('serves metrics with every ingestion request counted by endpoint and outcome', async () => {
    const response = await fetch(`${gateway.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /faultline_ingest_requests_total\{endpoint="envelope",outcome="accepted"\} \d+/);
    assert.match(text, /faultline_ingest_requests_total\{endpoint="envelope",outcome="unauthorized"\} 4/);
    assert.match(text, /faultline_ingest_requests_total\{endpoint="store",outcome="decompression_bomb"\} 1/);
    assert.match(text, /faultline_ingest_requests_total\{endpoint="native_events",outcome="too_many_events"\} 1/);
    assert.match(text, /faultline_ingest_requests_total\{endpoint="store",outcome="kafka_unavailable"\} 1/);
  });

  it('answers unknown routes with the same error shape', async () => {
    const error = await errorOf(await post('/api/42/nope/', 'x'));
    assert.deepEqual([error.status, error.code], [404, 'not_found']);
  });

  it('answers CORS preflights for browser SDKs', async () => {
    const response = await fetch(`${gateway.url}/api/42/envelope/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-sentry-auth,content-type' },
    });
    assert.ok(response.status === 204 || response.status === 200, `status ${response.status}`);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });
});

describe('gateway rate limit', () => {
  const config = loadConfig(
    { GATEWAY_PORT: '0', GATEWAY_RATE_LIMIT_PER_MINUTE: '3', FAULTLINE_PROJECTS: JSON.stringify([{ id: 'limited', publicKey: LIMITED_KEY }]) },
    {},
  );
  const publisher = new MemoryPublisher();
  let gateway: RunningGateway;
  before(async () => {
    gateway = await startGateway(config, { metrics: new Metrics({ defaultMetrics: false }), logger: new Logger('gateway-spec', 'error'), publisher });
  });
  after(async () => {
    await gateway?.close();
  });

  it('refuses with 429, Retry-After and X-Sentry-Rate-Limits once the allowance is spent', async () => {
    const send = () => fetch(`${gateway.url}/api/v1/projects/limited/events?sentry_key=${LIMITED_KEY}`, { method: 'POST', body: '{"id":"x"}\n{"id":"y"}' });
    assert.equal((await send()).status, 200);
    const refused = await send();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '20');
    assert.equal(refused.headers.get('x-sentry-rate-limits'), '20::project');
    assert.deepEqual(((await refused.json()) as { error: { code: string } }).error.code, 'rate_limited');
    assert.equal(publisher.sent.length, 2);
  });
});
