/**
 * The HTTP API against the real stack in one process: real Kafka (the global setup's broker, an
 * isolated topic prefix), ClickHouse migrated (embedded chDB or CLICKHOUSE_URL), data seeded
 * through the clustering engine as the clusterer would, and the API served on a free port.
 */
import 'reflect-metadata';
import { Controller, Get, HttpException, Module } from '@nestjs/common';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '@faultline/config';
import { toClickHouseTime } from '@faultline/clickhouse';
import { createKafka, ensureTopics, topicName } from '@faultline/kafka';
import { ClusteringEngine, createRuntime, type Runtime } from '@faultline/pipeline';
import { AnalysisRequest, Deploy, type CrashEvent } from '@faultline/schema';
import {
  AlertList,
  ClusterDetail,
  ClusterList,
  DeployList,
  ErrorBody,
  EventList,
  ProjectList,
  ROUTES,
  ApiModule,
} from '@faultline/service-api';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { expectEventually, testEnvironment } from '@faultline/testing';

const TOKENS = {
  readAll: 'read-token-all-000000000',
  writeAll: 'write-token-all-00000000',
  shopOnly: 'shop-token-rw-000000000',
  blogOnly: 'blog-token-rw-000000000',
};

// ------------------------------------------------------------------ seed events

const NOW = Date.now();
const at = (minutesAgo: number, second = 0) => new Date(NOW - minutesAgo * 60_000 + second * 1000).toISOString();
const SEED_START = at(50);

type Frames = Array<[file: string, fn: string]>;
let seq = 0;
function event(over: Partial<CrashEvent> & { frames: Frames; fingerprint: string }): CrashEvent {
  const { frames, ...rest } = over;
  seq += 1;
  const errorType = over.errorType ?? 'TypeError';
  const message = over.message ?? "Cannot read properties of undefined (reading 'price')";
  return {
    id: `evt-${String(seq).padStart(4, '0')}`,
    project: 'shop',
    timestamp: at(40),
    receivedAt: at(40),
    platform: 'javascript',
    release: '1.0.0',
    environment: 'production',
    severity: 'error',
    errorType,
    message,
    messageTemplate: message,
    canonicalKind: 'null_property_access',
    exceptions: [
      { type: errorType, value: message, module: null, mechanism: null, frames: frames.map(([file, fn], i) => ({ function: fn, module: null, file, line: 10 + i, column: 3, inApp: true })) },
    ],
    userId: null,
    tags: {},
    region: 'eu-west-1',
    transaction: null,
    serverName: null,
    contexts: { os: 'Linux', device: 'desktop', browser: 'Chrome 120', runtime: null },
    debugImages: [],
    source: { kind: 'native', name: 'api-e2e', line: null },
    fingerprintParts: [],
    raw: '',
    ...rest,
  };
}

const CHECKOUT: Frames = [['src/server.js', 'handle'], ['src/checkout/cart.js', 'total'], ['src/checkout/discount.js', 'applyDiscount']];
const DB: Frames = [['src/server.js', 'handle'], ['src/db/orders.js', 'saveOrder'], ['src/db/pool.js', 'acquire']];
const NET: Frames = [['src/jobs/runner.js', 'run'], ['src/analytics/client.js', 'send'], ['src/analytics/http.js', 'post']];
const FP = { checkout: 'a'.repeat(32), checkout2: 'b'.repeat(32), db: 'c'.repeat(32), net: 'd'.repeat(32), blog: 'e'.repeat(32) };

function seedEvents(): CrashEvent[] {
  const events: CrashEvent[] = [];
  // Checkout: a null access on the checkout path (a critical rule), two releases, five users.
  for (let i = 0; i < 6; i++) {
    events.push(
      event({
        fingerprint: FP.checkout,
        frames: CHECKOUT,
        timestamp: at(40 - i),
        release: i < 3 ? '1.0.0' : '1.1.0',
        userId: `user-${i % 5}`,
        transaction: 'POST /checkout',
        contexts: { os: 'Linux', device: 'desktop', browser: i % 2 === 0 ? 'Chrome 120' : 'Firefox 121', runtime: null },
      }),
    );
  }
  // The same crash reached with another message: a second issue of the checkout cluster.
  for (let i = 0; i < 2; i++) {
    events.push(
      event({
        fingerprint: FP.checkout2,
        frames: CHECKOUT,
        message: "Cannot read properties of null (reading 'price')",
        timestamp: at(30 - i),
        release: '1.1.0',
        userId: `user-${i}`,
        transaction: 'POST /checkout',
      }),
    );
  }
  // Database timeouts in staging.
  for (let i = 0; i < 3; i++) {
    events.push(
      event({
        fingerprint: FP.db,
        frames: DB,
        errorType: 'TimeoutError',
        message: 'Timed out acquiring a connection from the pool after 5000 ms',
        canonicalKind: 'timeout',
        environment: 'staging',
        release: '1.1.0',
        timestamp: at(20 - i),
        userId: `user-db-${i}`,
      }),
    );
  }
  // A background job's network failures: a `low` rule (job=analytics-retry).
  for (let i = 0; i < 2; i++) {
    events.push(
      event({
        fingerprint: FP.net,
        frames: NET,
        errorType: 'FetchError',
        message: 'connect ECONNREFUSED 10.0.0.7:443',
        canonicalKind: 'connection_refused',
        release: '1.1.0',
        timestamp: at(10 - i),
        tags: { job: 'analytics-retry' },
      }),
    );
  }
  events.push(event({ project: 'blog', fingerprint: FP.blog, frames: CHECKOUT, timestamp: at(5) }));
  return events;
}

// ------------------------------------------------------------------ HTTP helpers

interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

describe('api: HTTP API over Kafka + ClickHouse', () => {
  const { env, cleanup } = testEnvironment('api');
  const config = loadConfig(
    {
      ...env,
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      FAULTLINE_PUBLIC_URL: 'https://ingest.example.com',
      FAULTLINE_PROJECTS: JSON.stringify([
        { id: 'shop', name: 'Shop', publicKey: 'shop-public-key-0001' },
        { id: 'blog', publicKey: 'blog-public-key-0001' },
      ]),
      API_TOKENS: JSON.stringify([
        { token: TOKENS.readAll, scopes: ['read'], projects: ['*'] },
        { token: TOKENS.writeAll, scopes: ['read', 'write'], projects: ['*'] },
        { token: TOKENS.shopOnly, scopes: ['read', 'write'], projects: ['shop'] },
        { token: TOKENS.blogOnly, scopes: ['read', 'write'], projects: ['blog'] },
      ]),
    },
    {},
  );
  let runtime: Runtime;
  let host: ServiceHost;
  let consumer: Consumer;
  const received: Array<{ topic: string; key: string | null; value: unknown }> = [];

  async function call<T = unknown>(method: string, path: string, options: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const token = options.token === undefined ? TOKENS.writeAll : options.token;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${host.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (the /metrics text): kept as text.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  const get = <T = unknown>(path: string, token?: string | null) => call<T>('GET', path, { token });
  const post = <T = unknown>(path: string, body?: unknown, token?: string | null) => call<T>('POST', path, { body, token });

  function assertError(answer: Answer, status: number, code: string): void {
    assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    const parsed = ErrorBody.safeParse(answer.body);
    assert.ok(parsed.success, `not the error shape: ${JSON.stringify(answer.body)}`);
    assert.equal(parsed.data.error.code, code);
    assert.deepEqual(Object.keys(answer.body as object), ['error']);
  }

  async function clusters(query = '', token?: string): Promise<ClusterList> {
    const answer = await get<ClusterList>(`/api/v1/projects/shop/clusters${query}`, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return ClusterList.parse(answer.body);
  }
  type ClusterList = ReturnType<typeof ClusterList.parse>;
  const clusterOf = async (fingerprint: string): Promise<string> => {
    const list = await clusters('?limit=200');
    for (const c of list.data) {
      const detail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${c.id}?samples=0`)).body);
      if (detail.issues.some((i) => i.fingerprint === fingerprint)) return c.id;
    }
    throw new Error(`no cluster holds ${fingerprint}`);
  };

  before(async () => {
    runtime = createRuntime(config, 'api-e2e');
    const clickhouse = await runtime.clickhouse();
    const engine = new ClusteringEngine(clickhouse.client);
    const result = await engine.ingest(seedEvents());
    await engine.markPublished(result.pendingSignals);
    assert.equal(result.inserted, 14);

    // An analysis with evidence, and an alert delivered to two targets (one failed): as the analyzer and detector write them.
    await clickhouse.client.insert({
      table: 'alerts',
      format: 'JSONEachRow',
      values: ['https://hooks.slack.com/services/T000/B000/secret', 'https://example.com/hook'].map((target, i) => ({
        id: 'alert-1', project: 'shop', cluster_id: 'placeholder', trigger: 'cluster.new', target,
        status: i === 0 ? 'sent' : 'failed', attempts: i === 0 ? 1 : 3, last_error: i === 0 ? '' : 'HTTP 500',
        payload: JSON.stringify({ title: 'checkout crash' }), created_at: toClickHouseTime(at(9)), updated_at: toClickHouseTime(at(8)),
      })),
    });

    const kafka = createKafka(config.kafka);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, config.kafka);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `api-e2e-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName('deploys', config.kafka.topicPrefix), topicName('analysisRequests', config.kafka.topicPrefix)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.push({ topic, key: message.key?.toString('utf8') ?? null, value: JSON.parse(message.value?.toString('utf8') ?? 'null') });
      },
    });

    // Hosted as apps/api hosts it: the API module plus /metrics and /health, ready on ClickHouse and Kafka.
    host = await hostServices(runtime, [ApiModule.register(runtime)], { ...config.api, needs: { clickhouse: true, kafka: true } });
  });

  after(async () => {
    await consumer?.disconnect();
    await host?.close();
    await runtime?.close();
    cleanup();
  });

  // ---------------------------------------------------------------- auth and errors

  describe('authentication and authorization', () => {
    it('refuses a request without a token: 401 unauthorized, with a Bearer challenge', async () => {
      const answer = await get('/api/v1/projects', null);
      assertError(answer, 401, 'unauthorized');
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    it('refuses a malformed Authorization header and an unknown token', async () => {
      assertError(await call('GET', '/api/v1/projects', { token: null, headers: { authorization: `Basic ${TOKENS.readAll}` } }), 401, 'unauthorized');
      assertError(await get('/api/v1/projects', 'not-a-token-of-ours-000'), 401, 'invalid_token');
      assertError(await get('/api/v1/projects/shop/clusters', 'not-a-token-of-ours-000'), 401, 'invalid_token');
    });

    it('refuses a read token on a write endpoint: 403 insufficient_scope', async () => {
      const answer = await post(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'resolved' }, TOKENS.readAll);
      assertError(answer, 403, 'insufficient_scope');
      assertError(await post('/api/v1/projects/shop/deploys', { release: '9', deployedAt: at(0) }, TOKENS.readAll), 403, 'insufficient_scope');
    });

    it("refuses a token on another project's data: 403 project_forbidden, reads and writes", async () => {
      assertError(await get('/api/v1/projects/shop/clusters', TOKENS.blogOnly), 403, 'project_forbidden');
      assertError(await get('/api/v1/projects/shop', TOKENS.blogOnly), 403, 'project_forbidden');
      assertError(await post('/api/v1/projects/shop/clusters/merge', { clusterIds: ['a', 'b'] }, TOKENS.blogOnly), 403, 'project_forbidden');
      // Its own project is fine.
      assert.equal((await get('/api/v1/projects/blog/clusters', TOKENS.blogOnly)).status, 200);
    });

    it('answers 404 for an unknown project, to an organization-wide token only', async () => {
      assertError(await get('/api/v1/projects/nope/clusters', TOKENS.readAll), 404, 'project_not_found');
      assertError(await get('/api/v1/projects/nope/clusters', TOKENS.shopOnly), 403, 'project_forbidden');
    });

    it('answers unknown routes, bad JSON and bad input in the one error shape', async () => {
      assertError(await get('/api/v1/nothing-here'), 404, 'not_found');
      assertError(await call('POST', '/api/v1/projects/shop/clusters/merge', { raw: '{"clusterIds": [' }), 400, 'invalid_json');
      const invalid = await post<{ error: { details: Array<{ path: string }> } }>('/api/v1/projects/shop/clusters/merge', { clusterIds: 'x' });
      assertError(invalid, 400, 'validation_failed');
      assert.equal(invalid.body.error.details[0].path, 'clusterIds');
      assertError(await get('/api/v1/projects/shop/clusters?sort=random'), 400, 'validation_failed');
      assertError(await get('/api/v1/projects/BAD%20ID/clusters'), 400, 'validation_failed');
      const plain = await call('POST', '/api/v1/projects/shop/deploys', { raw: 'release=1', headers: { 'content-type': 'text/plain' } });
      assertError(plain, 415, 'unsupported_media_type');
      const huge = await call('POST', '/api/v1/projects/shop/deploys', { raw: JSON.stringify({ release: 'x'.repeat(2 * 1024 * 1024) }) });
      assertError(huge, 413, 'payload_too_large');
    });
  });

  // ---------------------------------------------------------------- projects

  describe('projects', () => {
    it('lists the projects a token may see, with DSNs on the gateway host', async () => {
      const all = ProjectList.parse((await get('/api/v1/projects', TOKENS.readAll)).body);
      assert.deepEqual(all.data.map((p) => p.id), ['blog', 'shop']);
      const shopOnly = ProjectList.parse((await get('/api/v1/projects', TOKENS.shopOnly)).body);
      assert.deepEqual(shopOnly.data.map((p) => p.id), ['shop']);
    });

    it('returns one project with its DSN', async () => {
      const answer = await get<{ id: string; name: string; dsn: string }>('/api/v1/projects/shop', TOKENS.readAll);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.name, 'Shop');
      assert.equal(answer.body.dsn, 'https://shop-public-key-0001@ingest.example.com/shop');
    });
  });

  // ---------------------------------------------------------------- clusters

  describe('clusters: list, filters, pagination', () => {
    it('lists every cluster of the project with its counts, priority and category', async () => {
      const list = await clusters();
      const total = list.data.reduce((sum, c) => sum + c.count, 0);
      assert.equal(total, 13, 'every shop event is in exactly one cluster');
      assert.ok(list.data.length >= 3 && list.data.length <= 4, `3 or 4 clusters, got ${list.data.length}`);
      const checkout = list.data.find((c) => c.releases.includes('1.0.0'));
      assert.ok(checkout);
      assert.equal(checkout.priority.tier, 'CRITICAL');
      assert.equal(checkout.priority.matchedRule, 'checkout-path');
      assert.equal(checkout.category, 'null_reference');
      assert.equal(checkout.status, 'unresolved');
      assert.ok(checkout.affectedUsers >= 5);
      assert.ok(checkout.confidence > 0 && checkout.confidence <= 1);
      for (const c of list.data) {
        assert.ok(c.issueCount >= 1);
        assert.ok(c.range && c.range.firstEvent <= c.range.lastEvent);
        assert.ok(Date.parse(c.firstSeen) >= Date.parse(SEED_START));
      }
      assert.equal(list.page.nextCursor, null);
      assert.equal(list.page.limit, 50);
    });

    it('sorts by impact, count and last_seen (descending, ties by id)', async () => {
      const byImpact = (await clusters('?sort=impact')).data.map((c) => c.priority.impactScore);
      assert.deepEqual(byImpact, [...byImpact].sort((a, b) => b - a));
      const byCount = (await clusters('?sort=count')).data.map((c) => c.count);
      assert.deepEqual(byCount, [...byCount].sort((a, b) => b - a));
      const byLastSeen = (await clusters('?sort=last_seen')).data.map((c) => c.range!.lastEvent);
      assert.deepEqual(byLastSeen, [...byLastSeen].sort().reverse());
    });

    it('filters by environment, release, category, priority and time window', async () => {
      const staging = await clusters('?environment=staging');
      assert.equal(staging.data.length, 1);
      assert.equal(staging.data[0].count, 3);
      assert.equal(staging.data[0].category, 'timeout');

      const r100 = await clusters('?release=1.0.0');
      assert.equal(r100.data.length, 1);
      assert.equal(r100.data[0].count, 3, 'counts are within the filter');

      assert.deepEqual((await clusters('?category=timeout')).data.map((c) => c.id), staging.data.map((c) => c.id));
      const critical = await clusters('?priority=critical');
      assert.ok(critical.data.length >= 1 && critical.data.every((c) => c.priority.tier === 'CRITICAL'));
      const low = await clusters('?priority=LOW');
      assert.ok(low.data.some((c) => c.priority.matchedRule === 'analytics-retry-job'));

      const recent = await clusters(`?from=${encodeURIComponent(at(15))}`);
      assert.ok(recent.data.every((c) => c.range !== null && c.range.firstEvent >= at(15)));
      assert.ok(recent.data.length >= 1);
      assert.equal((await clusters(`?from=${encodeURIComponent(at(-60))}`)).data.length, 0, 'nothing in the future');
      assertError(await get(`/api/v1/projects/shop/clusters?from=${encodeURIComponent(at(1))}&to=${encodeURIComponent(at(30))}`), 400, 'validation_failed');
      assertError(await get('/api/v1/projects/shop/clusters?from=yesterday'), 400, 'validation_failed');
      assertError(await get('/api/v1/projects/shop/clusters?priority=urgent'), 400, 'validation_failed');
    });

    it('pages with limit=1 through every cluster, in the unpaged order, ending with a null cursor', async () => {
      for (const sort of ['impact', 'count', 'last_seen']) {
        const all = (await clusters(`?sort=${sort}`)).data.map((c) => c.id);
        const seen: string[] = [];
        let page = await clusters(`?sort=${sort}&limit=1`);
        for (;;) {
          assert.ok(page.data.length <= 1);
          seen.push(...page.data.map((c) => c.id));
          if (page.page.nextCursor === null) break;
          assert.ok(page.page.next?.startsWith('/api/v1/projects/shop/clusters?'));
          // Following the `next` link and passing `cursor` are the same thing.
          const viaLink = await get<ClusterList>(page.page.next!);
          page = await clusters(`?sort=${sort}&limit=1&cursor=${encodeURIComponent(page.page.nextCursor)}`);
          assert.deepEqual(ClusterList.parse(viaLink.body).data, page.data);
        }
        assert.deepEqual(seen, all, `sort=${sort}`);
        assert.equal(page.page.next, null);
      }
    });

    it('returns the last page exactly full with no next page', async () => {
      const all = (await clusters()).data;
      const last = await clusters(`?limit=${all.length}`);
      assert.equal(last.data.length, all.length);
      assert.equal(last.page.nextCursor, null);
      const short = await clusters(`?limit=${all.length - 1}`);
      assert.ok(short.page.nextCursor);
      const rest = await clusters(`?limit=${all.length - 1}&cursor=${encodeURIComponent(short.page.nextCursor!)}`);
      assert.equal(rest.data.length, 1);
      assert.equal(rest.page.nextCursor, null);
    });

    it('refuses bad limits and cursors with 400', async () => {
      assertError(await get('/api/v1/projects/shop/clusters?limit=0'), 400, 'validation_failed');
      assertError(await get('/api/v1/projects/shop/clusters?limit=201'), 400, 'validation_failed');
      assertError(await get('/api/v1/projects/shop/clusters?limit=abc'), 400, 'validation_failed');
      assert.equal((await clusters('?limit=200')).page.limit, 200);
      assertError(await get('/api/v1/projects/shop/clusters?cursor=garbage'), 400, 'invalid_cursor');
      assertError(await get(`/api/v1/projects/shop/clusters?cursor=${Buffer.from('{"v":2}').toString('base64url')}`), 400, 'invalid_cursor');
      const page = await clusters('?sort=count&limit=1');
      assertError(await get(`/api/v1/projects/shop/clusters?sort=impact&cursor=${page.page.nextCursor}`), 400, 'invalid_cursor');
    });
  });

  describe('cluster detail', () => {
    it('returns timeline, issues, releases, breakdowns and sample events', async () => {
      const id = await clusterOf(FP.checkout);
      const answer = await get(`/api/v1/projects/shop/clusters/${id}`);
      assert.equal(answer.status, 200);
      const detail = ClusterDetail.parse(answer.body);
      assert.equal(detail.id, id);
      assert.ok(detail.issues.some((i) => i.fingerprint === FP.checkout && i.count === 6 && i.status === 'unresolved'));
      assert.equal(detail.timeline.reduce((sum, p) => sum + p.count, 0), detail.count, 'the timeline holds every event');
      assert.ok(detail.timeline.every((p) => p.minute.endsWith(':00.000Z')));
      assert.deepEqual(detail.releaseStats.map((r) => r.release).sort(), ['1.0.0', '1.1.0']);
      const browsers = Object.fromEntries(detail.breakdowns.browser.map((b) => [b.value, b.count]));
      assert.ok(browsers['Chrome 120'] >= 3 && browsers['Firefox 121'] >= 3);
      assert.deepEqual(detail.breakdowns.environment.map((b) => b.value), ['production']);
      assert.equal(detail.breakdowns.region[0].share, 1);
      assert.equal(detail.sampleEvents.length, 5);
      assert.ok(detail.sampleEvents.every((e) => e.project === 'shop'));
      assert.equal(detail.latestAnalysis, null);
    });

    it('answers 404 for an unknown cluster and 400 for a window over 14 days', async () => {
      assertError(await get('/api/v1/projects/shop/clusters/cl_nope'), 404, 'cluster_not_found');
      const id = await clusterOf(FP.checkout);
      assertError(await get(`/api/v1/projects/shop/clusters/${id}?from=${encodeURIComponent(at(60 * 24 * 20))}&to=${encodeURIComponent(at(0))}`), 400, 'validation_failed');
    });

    it('shows the latest analysis with suspect commits from its evidence', async () => {
      const id = await clusterOf(FP.checkout);
      const clickhouse = await runtime.clickhouse();
      const evidence = {
        version: 1,
        items: [
          { id: 'ev:commit:1111111', kind: 'commit', title: 'c', data: { sha: '1111111', subject: 'tweak docs', authorName: 'B', authorDate: at(70), window: 'earlier_deploy', deployId: null, files: ['README.md'], blamedLines: [] } },
          { id: 'ev:commit:abcdef1', kind: 'commit', title: 'c', data: { sha: 'abcdef1', subject: 'discounts: allow empty carts', authorName: 'A', authorDate: at(60), window: 'suspect_deploy', deployId: 'd1', files: ['src/checkout/discount.js'], blamedLines: [{ path: 'src/checkout/discount.js', line: 12 }] } },
          { id: 'ev:stats', kind: 'stats', title: 's', data: {} },
        ],
      };
      await clickhouse.client.insert({
        table: 'analyses',
        format: 'JSONEachRow',
        values: [
          { id: 'an-1', project: 'shop', cluster_id: id, cache_key: 'k1', analyzer: 'heuristic', model: '', status: 'ok', failure_reason: '', document: JSON.stringify({ summary: 'old' }), markdown: '# old', evidence: '{}', input_tokens: 0, output_tokens: 0, created_at: toClickHouseTime(at(3)) },
          { id: 'an-2', project: 'shop', cluster_id: id, cache_key: 'k2', analyzer: 'claude', model: 'claude-sonnet-4-5', status: 'ok', failure_reason: '', document: JSON.stringify({ summary: 'empty cart' }), markdown: '# Root cause', evidence: JSON.stringify(evidence), input_tokens: 1200, output_tokens: 300, created_at: toClickHouseTime(at(2)) },
        ],
      });
      const detail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${id}`)).body);
      assert.equal(detail.latestAnalysis?.id, 'an-2');
      assert.deepEqual(detail.latestAnalysis?.document, { summary: 'empty cart' });
      assert.deepEqual(detail.latestAnalysis?.tokens, { input: 1200, output: 300 });
      assert.deepEqual(detail.suspectCommits.map((c) => [c.sha, c.window, c.blamedLines]), [['abcdef1', 'suspect_deploy', 1], ['1111111', 'earlier_deploy', 0]]);

      const analyses = await get<{ data: Array<{ id: string; markdown: string }> }>(`/api/v1/projects/shop/clusters/${id}/analyses`, TOKENS.readAll);
      assert.equal(analyses.status, 200);
      assert.deepEqual(analyses.body.data.map((a) => a.id), ['an-2', 'an-1']);
      assert.equal((await get<{ data: unknown[] }>(`/api/v1/projects/shop/clusters/${id}/analyses?limit=1`)).body.data.length, 1);
    });
  });

  // ---------------------------------------------------------------- writes

  describe('issue status', () => {
    it('resolves an issue, then reads the status back from the cluster and the list filter', async () => {
      const answer = await post<{ status: string; changedBy: string }>(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'resolved' }, TOKENS.shopOnly);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.status, 'resolved');
      assert.match(answer.body.changedBy, /^token:[0-9a-f]{12}$/);

      const id = await clusterOf(FP.db);
      const detail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${id}`)).body);
      assert.equal(detail.issues.find((i) => i.fingerprint === FP.db)?.status, 'resolved');
      assert.equal(detail.status, 'resolved');
      assert.ok((await clusters('?status=resolved')).data.some((c) => c.id === id));
      assert.ok(!(await clusters('?status=unresolved')).data.some((c) => c.id === id));

      const inRelease = await post<{ status: string; resolvedInRelease: string }>(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'resolved_in_release', release: '1.2.0' });
      assert.equal(inRelease.status, 200);
      assert.equal(inRelease.body.resolvedInRelease, '1.2.0');
      await expectEventually(async () => {
        const again = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${id}`)).body);
        assert.equal(again.issues.find((i) => i.fingerprint === FP.db)?.resolvedInRelease, '1.2.0');
      });
    });

    it('validates the body and the issue', async () => {
      assertError(await post(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'resolved_in_release' }), 400, 'validation_failed');
      assertError(await post(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'ignored', release: '1.0.0' }), 400, 'validation_failed');
      assertError(await post(`/api/v1/projects/shop/issues/${FP.db}/status`, { status: 'closed' }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/issues/unknown-fingerprint/status', { status: 'ignored' }), 404, 'issue_not_found');
    });
  });

  describe('merge and split', () => {
    it('merges two clusters into one with a new membership version, then splits an issue out again', async () => {
      const db = await clusterOf(FP.db);
      const net = await clusterOf(FP.net);
      assert.notEqual(db, net);
      const before = (await clusters()).data.length;

      const merged = await post<{ clusterId: string; merged: string[]; moved: string[]; version: number }>('/api/v1/projects/shop/clusters/merge', { clusterIds: [db, net] });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual(merged.body, { clusterId: db, merged: [net], moved: [FP.net], version: 2 });
      const afterMerge = await clusters();
      assert.equal(afterMerge.data.length, before - 1);
      assert.ok(!afterMerge.data.some((c) => c.id === net));
      const mergedDetail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${db}`)).body);
      assert.deepEqual(mergedDetail.issues.map((i) => i.fingerprint).sort(), [FP.db, FP.net]);
      const moved = mergedDetail.issues.find((i) => i.fingerprint === FP.net)!;
      assert.deepEqual(moved.membership, { confidence: 1, assignedBy: 'manual', version: 2 });
      assert.equal(mergedDetail.count, 5);
      assertError(await get(`/api/v1/projects/shop/clusters/${net}`), 404, 'cluster_not_found');

      const split = await post<{ clusterId: string; from: string; moved: string[]; version: number }>(`/api/v1/projects/shop/clusters/${db}/split`, { fingerprints: [FP.net] });
      assert.equal(split.status, 201, JSON.stringify(split.body));
      assert.equal(split.body.from, db);
      assert.equal(split.body.version, 3);
      assert.match(split.body.clusterId, /^cl_[0-9a-f]{24}$/);
      const splitDetail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${split.body.clusterId}`)).body);
      assert.deepEqual(splitDetail.issues.map((i) => [i.fingerprint, i.membership.version, i.membership.assignedBy]), [[FP.net, 3, 'manual']]);
      assert.equal((await clusters()).data.length, before);
      const clickhouse = await runtime.clickhouse();
      const versions = await (
        await clickhouse.client.query({
          query: 'SELECT version, cluster_id, assigned_by FROM cluster_membership WHERE project = {p:String} AND fingerprint = {f:String} ORDER BY version',
          query_params: { p: 'shop', f: FP.net },
          format: 'JSONEachRow',
        })
      ).json<{ version: number; cluster_id: string; assigned_by: string }>();
      assert.deepEqual(versions.map((v) => [Number(v.version), v.cluster_id, v.assigned_by]), [[1, net, 'auto'], [2, db, 'manual'], [3, split.body.clusterId, 'manual']]);
    });

    it('refuses merges and splits that make no sense', async () => {
      const db = await clusterOf(FP.db);
      const checkout = await clusterOf(FP.checkout);
      assertError(await post('/api/v1/projects/shop/clusters/merge', { clusterIds: [db, db] }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/clusters/merge', { clusterIds: [db, checkout], into: 'cl_other' }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/clusters/merge', { clusterIds: [db, 'cl_missing'] }), 404, 'cluster_not_found');
      assertError(await post(`/api/v1/projects/shop/clusters/${db}/split`, { fingerprints: [FP.checkout] }), 409, 'not_in_cluster');
      assertError(await post(`/api/v1/projects/shop/clusters/${db}/split`, { fingerprints: [FP.db] }), 409, 'would_empty_cluster');
      assertError(await post(`/api/v1/projects/shop/clusters/${db}/split`, { fingerprints: [] }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/clusters/cl_missing/split', { fingerprints: [FP.db] }), 404, 'cluster_not_found');
    });
  });

  // ---------------------------------------------------------------- events

  describe('events', () => {
    it('lists events newest first, by fingerprint, with cursor pages', async () => {
      const answer = await get(`/api/v1/projects/shop/events?fingerprint=${FP.checkout}`);
      assert.equal(answer.status, 200);
      const list = EventList.parse(answer.body);
      assert.equal(list.data.length, 6);
      assert.ok(list.data.every((e) => e.fingerprint === FP.checkout));
      const times = list.data.map((e) => e.timestamp);
      assert.deepEqual(times, [...times].sort().reverse());

      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ReturnType<typeof EventList.parse> = EventList.parse(
          (await get(`/api/v1/projects/shop/events?fingerprint=${FP.checkout}&limit=4${cursor ? `&cursor=${cursor}` : ''}`)).body,
        );
        ids.push(...page.data.map((e) => e.id));
        cursor = page.page.nextCursor;
      } while (cursor);
      assert.deepEqual(ids, list.data.map((e) => e.id));

      const windowed = EventList.parse((await get(`/api/v1/projects/shop/events?from=${encodeURIComponent(at(12))}&to=${encodeURIComponent(at(0))}`)).body);
      assert.deepEqual(windowed.data.map((e) => e.fingerprint), [FP.net, FP.net]);
      assertError(await get('/api/v1/projects/shop/events?limit=500'), 400, 'validation_failed');
      assertError(await get(`/api/v1/projects/shop/events?cursor=${list.page.nextCursor ?? 'x'}`), 400, 'invalid_cursor');
    });

    it('returns one event as normalized, and 404 for an unknown one', async () => {
      const [first] = EventList.parse((await get(`/api/v1/projects/shop/events?fingerprint=${FP.db}&limit=1`)).body).data;
      const answer = await get<CrashEvent>(`/api/v1/projects/shop/events/${first.id}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.id, first.id);
      assert.equal(answer.body.errorType, 'TimeoutError');
      assert.equal(answer.body.exceptions[0].frames.at(-1)?.function, 'acquire');
      assertError(await get('/api/v1/projects/shop/events/no-such-event'), 404, 'event_not_found');
      // Another project's event is not reachable through this one.
      const blog = EventList.parse((await get('/api/v1/projects/blog/events')).body).data[0];
      assertError(await get(`/api/v1/projects/shop/events/${blog.id}`), 404, 'event_not_found');
    });

    it('returns the columns and crash site of an event whose full payload was not kept', async () => {
      // Six checkout events came in one insert batch, which keeps the full payload of five per issue.
      const listed = EventList.parse((await get(`/api/v1/projects/shop/events?fingerprint=${FP.checkout}`)).body).data;
      const columnsOnly = listed.filter((e) => !e.payloadKept);
      assert.equal(columnsOnly.length, 1, 'one event without its payload');
      const answer = await get<Record<string, unknown>>(`/api/v1/projects/shop/events/${columnsOnly[0].id}`);
      assert.equal(answer.status, 200);
      // Exactly the listed columns and the crash site: no frames, contexts or original.
      assert.deepEqual(answer.body, { ...columnsOnly[0], crashFrame: 'applyDiscount (src/checkout/discount.js:12)' });

      const kept = await get<CrashEvent & { payloadKept: boolean }>(`/api/v1/projects/shop/events/${listed.find((e) => e.payloadKept)!.id}`);
      assert.equal(kept.body.payloadKept, true);
      assert.equal(kept.body.exceptions[0].frames.length, 3, 'a kept payload has every frame');
    });
  });

  // ---------------------------------------------------------------- deploys

  describe('deploys', () => {
    const deploy = { release: '1.1.0', environment: 'production', commitSha: 'abcdef1', previousSha: '1234567', deployedAt: at(45), changedFiles: ['src/checkout/discount.js'] };

    it('records a deploy once for the same body twice, and publishes it on the deploys topic', async () => {
      const first = await post<{ id: string; created: boolean }>('/api/v1/projects/shop/deploys', deploy);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.created, true);
      assert.match(first.body.id, /^[0-9a-f]{32}$/);
      const second = await post<{ id: string; created: boolean }>('/api/v1/projects/shop/deploys', deploy);
      assert.equal(second.status, 200);
      assert.equal(second.body.id, first.body.id);
      assert.equal(second.body.created, false);
      // The same instant with another offset is the same deploy.
      const shifted = new Date(Date.parse(deploy.deployedAt) + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      assert.equal((await post<{ id: string }>('/api/v1/projects/shop/deploys', { ...deploy, deployedAt: shifted })).body.id, first.body.id);

      const clickhouse = await runtime.clickhouse();
      const [row] = await (
        await clickhouse.client.query({ query: 'SELECT count() AS n FROM deploys WHERE project = {p:String}', query_params: { p: 'shop' }, format: 'JSONEachRow' })
      ).json<{ n: number }>();
      assert.equal(Number(row.n), 1, 'one row, not one per request');

      const list = DeployList.parse((await get('/api/v1/projects/shop/deploys')).body);
      assert.deepEqual(list.data.map((d) => d.id), [first.body.id]);
      assert.equal(list.data[0].deployedAt, new Date(deploy.deployedAt).toISOString());

      const message = await expectEventually(
        () => {
          const found = received.find((m) => m.topic.endsWith('faultline.deploys'));
          assert.ok(found, `no deploy message among ${received.length}`);
          return found;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(message.key, 'shop');
      const published = Deploy.parse(message.value);
      assert.equal(published.project, 'shop');
      assert.equal(published.release, '1.1.0');
      assert.equal(published.commitSha, 'abcdef1');
    });

    it('refuses the same deploy with other commits (409) and invalid bodies (400)', async () => {
      assertError(await post('/api/v1/projects/shop/deploys', { ...deploy, commitSha: 'fffffff' }), 409, 'deploy_conflict');
      assertError(await post('/api/v1/projects/shop/deploys', { ...deploy, deployedAt: 'last tuesday' }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/deploys', { ...deploy, commitSha: 'not-a-sha' }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/deploys', { ...deploy, project: 'blog' }), 400, 'validation_failed');
      assertError(await post('/api/v1/projects/shop/deploys', { deployedAt: at(1) }), 400, 'validation_failed');
    });

    it('pages deploys and names the deploy before a cluster began as its suspect', async () => {
      await post('/api/v1/projects/shop/deploys', { release: '1.0.0', deployedAt: at(120) });
      await post('/api/v1/projects/shop/deploys', { release: '1.2.0', deployedAt: at(1) });
      const page1 = DeployList.parse((await get('/api/v1/projects/shop/deploys?limit=2')).body);
      assert.deepEqual(page1.data.map((d) => d.release), ['1.2.0', '1.1.0']);
      const page2 = DeployList.parse((await get(`/api/v1/projects/shop/deploys?limit=2&cursor=${page1.page.nextCursor}`)).body);
      assert.deepEqual(page2.data.map((d) => d.release), ['1.0.0']);
      assert.equal(page2.page.nextCursor, null);
      assert.deepEqual(DeployList.parse((await get('/api/v1/projects/shop/deploys?environment=staging')).body).data, []);

      const checkout = await clusterOf(FP.checkout);
      const detail = ClusterDetail.parse((await get(`/api/v1/projects/shop/clusters/${checkout}`)).body);
      assert.equal(detail.suspectDeploy?.release, '1.1.0', 'the latest deploy before the first event');
    });
  });

  // ---------------------------------------------------------------- analyses and alerts

  describe('analysis requests', () => {
    it('accepts a request with 202 and publishes it on the analysis requests topic', async () => {
      const id = await clusterOf(FP.checkout);
      const answer = await post<{ status: string; request: AnalysisRequest }>(`/api/v1/projects/shop/clusters/${id}/analyses`);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.equal(answer.body.status, 'accepted');
      const message = await expectEventually(
        () => {
          const found = received.find((m) => m.topic.endsWith('faultline.analysis.requests'));
          assert.ok(found);
          return found;
        },
        { timeoutMs: 30_000 },
      );
      const request = AnalysisRequest.parse(message.value);
      assert.deepEqual(request, { project: 'shop', clusterId: id, reason: 'api', signalId: null, requestedAt: answer.body.request.requestedAt });
      assert.equal(message.key, `shop:${id}`);
      assertError(await post('/api/v1/projects/shop/clusters/cl_missing/analyses'), 404, 'cluster_not_found');
      assertError(await post(`/api/v1/projects/shop/clusters/${id}/analyses`, undefined, TOKENS.readAll), 403, 'insufficient_scope');
    });
  });

  describe('alerts', () => {
    it('lists alerts with every delivery outcome, webhook secrets redacted', async () => {
      const answer = await get('/api/v1/projects/shop/alerts');
      assert.equal(answer.status, 200);
      const list = AlertList.parse(answer.body);
      assert.equal(list.data.length, 1);
      const [alert] = list.data;
      assert.deepEqual(alert.payload, { title: 'checkout crash' });
      assert.deepEqual(
        alert.deliveries.map((d) => [d.target, d.status, d.attempts, d.lastError]).sort(),
        [['https://example.com/…', 'failed', 3, 'HTTP 500'], ['https://hooks.slack.com/…', 'sent', 1, null]],
      );
      assert.ok(!JSON.stringify(answer.body).includes('secret'));
      assert.deepEqual(AlertList.parse((await get('/api/v1/projects/blog/alerts')).body).data, []);
    });
  });

  // ---------------------------------------------------------------- description and ops

  describe('OpenAPI, metrics and health', () => {
    it('serves an OpenAPI 3.1 document describing every route, each routed and guarded', async () => {
      const answer = await get<{ openapi: string; paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>> }>('/api/v1/openapi.json', null);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.openapi, '3.1.0');
      const documented = Object.entries(answer.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      const expected = Object.values(ROUTES).map((r) => `${r.method} /api/v1${r.path}`);
      assert.deepEqual(documented.sort(), expected.sort());
      for (const required of ['/api/v1/projects', '/api/v1/projects/{project}/clusters', '/api/v1/projects/{project}/clusters/{clusterId}', '/api/v1/projects/{project}/deploys']) {
        assert.ok(answer.body.paths[required], required);
      }
      for (const [path, ops] of Object.entries(answer.body.paths)) {
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(ops)) {
          const declared = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
          assert.deepEqual(declared.sort(), [...templated].sort(), `${method} ${path}`);
          assert.ok(Object.keys(op.responses).length >= 2);
          if (path.endsWith('openapi.json')) continue;
          // Routed and guarded: without a token every documented operation answers 401, never 404.
          const concrete = path.replace('{project}', 'shop').replace(/\{\w+\}/g, 'x');
          const unauth = await call(method.toUpperCase(), concrete, { token: null, body: method === 'post' ? {} : undefined });
          assert.equal(unauth.status, 401, `${method} ${path}`);
        }
      }
      // The document round-trips as JSON and its listClusters query names every filter.
      const listOp = JSON.parse(JSON.stringify(answer.body)).paths['/api/v1/projects/{project}/clusters'].get;
      const names = listOp.parameters.map((p: { name: string }) => p.name);
      for (const n of ['environment', 'release', 'status', 'priority', 'category', 'from', 'to', 'sort', 'limit', 'cursor']) assert.ok(names.includes(n), n);
    });

    it('serves /metrics in the Prometheus text format', async () => {
      const response = await fetch(`${host.url}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.]+(e[+-]?\d+)?|NaN|[+-]Inf)( -?\d+)?$/;
      let samples = 0;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        if (line.startsWith('#')) {
          assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /, line);
          continue;
        }
        assert.match(line, sample, `not a Prometheus sample: ${line}`);
        samples += 1;
      }
      assert.ok(samples > 0);
      assert.match(text, /# TYPE faultline_events_total counter/);
    });

    it('can be hosted next to other modules without changing their error bodies', async () => {
      @Controller('other')
      class OtherController {
        @Get('boom')
        boom(): never {
          throw new HttpException({ statusCode: 418, message: 'their own shape' }, 418);
        }
      }
      @Module({ controllers: [OtherController] })
      class OtherModule {}
      const shared = await hostServices(runtime, [ApiModule.register(runtime), { module: OtherModule }], { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: false } });
      try {
        const ok = await fetch(`${shared.url}/api/v1/projects/shop/clusters?limit=1`, { headers: { authorization: `Bearer ${TOKENS.readAll}` } });
        assert.equal(ok.status, 200);
        assert.equal(ClusterList.parse(await ok.json()).data.length, 1);
        const denied = await fetch(`${shared.url}/api/v1/projects/shop/clusters`);
        assert.equal(ErrorBody.parse(await denied.json()).error.code, 'unauthorized');
        const theirs = await fetch(`${shared.url}/other/boom`);
        assert.deepEqual([theirs.status, await theirs.json()], [418, { statusCode: 418, message: 'their own shape' }]);
        const missing = await fetch(`${shared.url}/other/missing`);
        assert.equal(missing.status, 404);
        assert.equal((await missing.json() as { statusCode: number }).statusCode, 404, 'outside /api/v1 Nest answers as usual');
      } finally {
        await shared.close();
      }
    });

    it('answers liveness, and readiness once Kafka and ClickHouse answer', async () => {
      const live = await get<{ status: string }>('/health/live', null);
      assert.deepEqual([live.status, live.body], [200, { status: 'ok' }]);
      const ready = await get<{ status: string; checks: Record<string, string> }>('/health/ready', null);
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.deepEqual(ready.body.checks, { clickhouse: 'ok', kafka: 'ok' });
    });
  });
});
