/**
 * The ingest gateway as its clients use it: the built app (apps/ingest-gateway) runs as its own
 * process, the real Sentry SDK and plain HTTP clients post to it, and reports are read back
 * from the real broker's raw topic. A second instance, pointed at a closed port, shows that
 * Kafka being down means "not ready" and 503, never a hang; both stop cleanly on SIGTERM.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Consumer } from 'kafkajs';
import { NodeClient, Scope, defaultStackParser, makeNodeTransport } from '@sentry/node';
import { loadConfig } from '@faultline/config';
import { createKafka, topicName } from '@faultline/kafka';
import { Logger } from '@faultline/observability';
import { RawReport } from '@faultline/schema';
import { expectEventually, startGatewayProcess, testEnvironment, type GatewayProcess } from '@faultline/testing';

const SDK_KEY = 'sdk0key0123456789abcdef';
const NATIVE_KEY = 'native0key0123456789abc';
const LIMITED_KEY = 'limited0key0123456789ab';

interface Received {
  key: string | null;
  report: RawReport;
}


// dist/tests/e2e → dist/apps/ingest-gateway/src/main.js


describe('gateway e2e: Sentry SDK and HTTP clients → gateway → real Kafka', () => {
  const { env, cleanup } = testEnvironment('gateway');
  // The test's own view of the same settings: where the topics are.
  const config = loadConfig(env, {});
  const projects = JSON.stringify([
    // Sentry DSNs need numeric project ids.
    { id: '42', publicKey: SDK_KEY },
    { id: 'native', publicKey: NATIVE_KEY },
    { id: 'limited', publicKey: LIMITED_KEY },
  ]);
  const logger = new Logger('gateway-e2e', 'error');
  const received: Received[] = [];
  let gateway: GatewayProcess;
  let consumer: Consumer;
  let sentry: NodeClient | undefined;

  before(async () => {
    gateway = await startGatewayProcess({
      ...env,
      GATEWAY_MAX_EVENTS_PER_REQUEST: '25',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '20',
      FAULTLINE_PROJECTS: projects,
    });
    // Ready once the app created the topics and connected its producer.
    await expectEventually(async () => assert.equal((await fetch(`${gateway.url}/health/ready`)).status, 200), { timeoutMs: 60_000 });

    consumer = createKafka(config.kafka, logger).consumer({ groupId: `gateway-e2e-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('rawReports', config.kafka.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString('utf8') ?? null, report: RawReport.parse(JSON.parse(message.value?.toString('utf8') ?? 'null')) });
      },
    });
  });

  after(async () => {
    await sentry?.close(2000);
    await consumer?.disconnect();
    await gateway?.stop('SIGKILL');
    cleanup();
  });

  const arrived = (predicate: (r: RawReport) => boolean): Promise<Received> =>
    expectEventually(
      () => {
        const found = received.find((r) => predicate(r.report));
        assert.ok(found, `no matching report among ${received.length} received`);
        return found;
      },
      { timeoutMs: 30_000 },
    );

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });

  async function errorCode(response: Response): Promise<string> {
    const body = (await response.json()) as { error: { code: string; message: string } };
    return body.error.code;
  }

  it('takes an exception from the unmodified Sentry SDK, with its stack frames', async () => {
    const port = new URL(gateway.url).port;
    sentry = new NodeClient({
      dsn: `http://${SDK_KEY}@127.0.0.1:${port}/42`,
      transport: makeNodeTransport,
      stackParser: defaultStackParser,
      integrations: [],
      tracesSampleRate: 0,
      sendClientReports: false,
      release: 'e2e@1.0.0',
    });
    const scope = new Scope();
    scope.setClient(sentry);
    sentry.init();
    const eventId = scope.captureException(new Error('boom'));
    assert.equal(await sentry.flush(10_000), true);

    const { key, report } = await arrived((r) => r.reportId === eventId);
    assert.equal(key, eventId, 'keyed by report id');
    assert.equal(report.kind, 'sentry_event');
    assert.equal(report.project, '42');
    assert.match(report.sdk ?? '', /sentry\.javascript\.node/);
    const event = JSON.parse(report.payload) as {
      release: string;
      exception: { values: Array<{ type: string; value: string; stacktrace: { frames: Array<{ filename?: string; function?: string }> } }> };
    };
    assert.equal(event.release, 'e2e@1.0.0');
    const exception = event.exception.values.at(-1);
    assert.equal(exception?.type, 'Error');
    assert.equal(exception?.value, 'boom');
    const frames = exception?.stacktrace.frames ?? [];
    assert.ok(frames.length > 0, 'has frames');
    assert.ok(frames.some((f) => f.filename?.includes('gateway.e2e.test')), 'a frame points at this test file');
  });

  it('takes a gzip-compressed envelope', async () => {
    const eventId = randomUUID().replaceAll('-', '');
    const event = JSON.stringify({ event_id: eventId, platform: 'python', exception: { values: [{ type: 'ValueError', value: 'gz' }] } });
    const body = gzipSync(`${JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() })}\n{"type":"event","length":${Buffer.byteLength(event)}}\n${event}\n`);
    const response = await post('/api/42/envelope/', body, {
      'content-encoding': 'gzip',
      'content-type': 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_key=${SDK_KEY}, sentry_version=7, sentry_client=raw/1.0`,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: eventId });
    const { report } = await arrived((r) => r.reportId === eventId);
    assert.equal(report.payload, event);
    assert.equal(report.sdk, 'raw/1.0');
  });

  it('takes the legacy store endpoint', async () => {
    const eventId = randomUUID().replaceAll('-', '');
    const event = JSON.stringify({ event_id: eventId, message: 'stored' });
    const response = await post(`/api/42/store/?sentry_key=${SDK_KEY}&sentry_version=7`, event, { 'content-type': 'application/json' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: eventId });
    assert.equal((await arrived((r) => r.reportId === eventId)).report.payload, event);
  });

  it('takes native events as NDJSON and as a JSON array', async () => {
    const run = randomUUID();
    const ndjson = await post('/api/v1/projects/native/events', `{"id":"${run}-1","message":"a"}\n{"id":"${run}-2","message":"b"}\n`, {
      authorization: `Bearer ${NATIVE_KEY}`,
      'content-type': 'application/x-ndjson',
    });
    assert.equal(ndjson.status, 200);
    const array = await post('/api/v1/projects/native/events', JSON.stringify([{ id: `${run}-3` }, { id: `${run}-4` }, { id: `${run}-5` }]), {
      'x-faultline-key': NATIVE_KEY,
      'content-type': 'application/json',
    });
    assert.equal(array.status, 200);
    assert.deepEqual(await array.json(), { accepted: 3, ids: [`${run}-3`, `${run}-4`, `${run}-5`] });
    for (const n of [1, 2, 3, 4, 5]) {
      const { key, report } = await arrived((r) => r.reportId === `${run}-${n}`);
      assert.equal(key, report.reportId);
      assert.equal(report.kind, 'native_event');
      assert.equal((JSON.parse(report.payload) as { id: string }).id, `${run}-${n}`);
    }
  });

  it('takes a plain-text log as one report', async () => {
    const text = `2026-11-20T10:00:00.123Z ERROR [api] ${randomUUID()}\nTypeError: x is undefined\n    at f (app.js:1:2)\n`;
    const response = await post('/api/v1/projects/native/logs', text, { authorization: `Bearer ${NATIVE_KEY}`, 'content-type': 'text/plain', 'x-faultline-source': 'backend/api.log' });
    assert.equal(response.status, 200);
    const { report } = await arrived((r) => r.payload === text);
    assert.equal(report.kind, 'log_text');
    assert.equal(report.sourceName, 'backend/api.log');
  });

  it('accepts and counts item types it does not ingest', async () => {
    const body = `{}\n{"type":"transaction"}\n{"type":"transaction","spans":[]}\n{"type":"check_in"}\n{"check_in_id":"c","status":"ok"}\n`;
    const response = await post(`/api/42/envelope/?sentry_key=${SDK_KEY}`, body, { 'content-type': 'text/plain;charset=UTF-8' });
    assert.equal(response.status, 200);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(text, /faultline_events_total\{stage="gateway",outcome="ignored",reason="transaction"\} 1/);
    assert.match(text, /faultline_events_total\{stage="gateway",outcome="ignored",reason="check_in"\} 1/);
  });

  it('refuses a wrong key with 401', async () => {
    const response = await post(`/api/42/store/?sentry_key=${NATIVE_KEY}`, '{"message":"nope"}');
    assert.equal(response.status, 401);
    assert.equal(await errorCode(response), 'unauthorized');
  });

  it('refuses a decompression bomb with 413, quickly', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const started = performance.now();
    const response = await post(`/api/42/envelope/?sentry_key=${SDK_KEY}`, bomb, { 'content-encoding': 'gzip' });
    assert.equal(response.status, 413);
    assert.equal(await errorCode(response), 'decompression_bomb');
    assert.ok(performance.now() - started < 2000, 'refused within 2 s');
  });

  it('refuses too many events in one request with 413', async () => {
    const body = Array.from({ length: 26 }, (_, i) => JSON.stringify({ id: `too-many-${i}` })).join('\n');
    const response = await post('/api/v1/projects/native/events', body, { authorization: `Bearer ${NATIVE_KEY}` });
    assert.equal(response.status, 413);
    assert.equal(await errorCode(response), 'too_many_events');
  });

  it('rate-limits a project with 429 and Retry-After', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `limited-${i}` })).join('\n');
    assert.equal((await post(`/api/v1/projects/limited/events?sentry_key=${LIMITED_KEY}`, batch)).status, 200);
    const refused = await post(`/api/v1/projects/limited/events?sentry_key=${LIMITED_KEY}`, '{"id":"limited-extra"}');
    assert.equal(refused.status, 429);
    assert.equal(await errorCode(refused), 'rate_limited');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1, `Retry-After: ${refused.headers.get('retry-after')}`);
  });

  it('counts requests by endpoint and outcome', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const line of [
      'endpoint="envelope",outcome="accepted"',
      'endpoint="store",outcome="unauthorized"',
      'endpoint="envelope",outcome="decompression_bomb"',
      'endpoint="native_events",outcome="too_many_events"',
      'endpoint="native_events",outcome="rate_limited"',
      'endpoint="logs",outcome="accepted"',
    ]) {
      assert.ok(text.includes(`faultline_ingest_requests_total{${line}}`), line);
    }
  });

  it('shuts down cleanly on SIGTERM', async () => {
    assert.equal(await gateway.stop('SIGTERM'), 0, gateway.logs.slice(-5).join('\n'));
    assert.ok(gateway.logs.some((line) => line.includes('"shutting down"')));
  });
});

describe('gateway e2e: Kafka down', () => {
  let gateway: GatewayProcess;

  before(async () => {
    const started = performance.now();
    // Nothing listens on port 1: every connection is refused.
    gateway = await startGatewayProcess({ KAFKA_BROKERS: '127.0.0.1:1', FAULTLINE_PROJECTS: JSON.stringify([{ id: '7', publicKey: SDK_KEY }]) });
    assert.ok(performance.now() - started < 15_000, 'starts without waiting for Kafka');
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
  });

  it('starts, reports not ready, and answers 503 with Retry-After at once', async () => {
    assert.equal((await fetch(`${gateway.url}/health/live`)).status, 200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 503);
    const started = performance.now();
    const response = await fetch(`${gateway.url}/api/7/store/?sentry_key=${SDK_KEY}`, { method: 'POST', body: '{"message":"lost?"}' });
    assert.equal(response.status, 503);
    assert.ok(Number(response.headers.get('retry-after')) > 0);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'kafka_unavailable');
    assert.ok(performance.now() - started < 2000, 'fails fast');
  });

  it('still shuts down promptly on SIGTERM', async () => {
    const started = performance.now();
    assert.equal(await gateway.stop('SIGTERM'), 0, gateway.logs.slice(-5).join('\n'));
    assert.ok(performance.now() - started < 10_000, 'a pending Kafka connect does not hold shutdown');
  });
});
