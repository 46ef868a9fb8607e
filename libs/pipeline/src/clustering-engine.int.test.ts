import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { ClusterQueries, EventsRepository, connectClickHouse, runMigrations, type ClickHouse } from '@faultline/clickhouse';
import { makeCrashEvent, testEnvironment } from '@faultline/testing';
import type { CrashEvent } from '@faultline/schema';
import { ClusteringEngine } from './clustering-engine';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** Crash X (priceOf) and crash Y (totalOf, taxOf) come from different pages through the same cart code Z. */
const CALLERS: Record<string, { fn: string; file: string }> = {
  priceOf: { fn: 'onSubmit', file: 'src/checkout-page.js' },
  totalOf: { fn: 'render', file: 'src/cart-summary.js' },
  taxOf: { fn: 'render', file: 'src/invoice-page.js' },
};

function checkoutCrash(id: string, fn: string, minute: number, user: string): CrashEvent {
  return makeCrashEvent(
    { id, fingerprint: `fp-${fn}`, timestamp: minutesAgo(minute), userId: user, project: 'shop' },
    [
      { function: CALLERS[fn].fn, file: CALLERS[fn].file, line: 10 },
      { function: 'computeTotals', file: 'src/cart-store.js', line: 20 },
      { function: fn, file: `src/${fn}.js`, line: 42 },
    ],
  );
}

function dbTimeout(id: string, minute: number): CrashEvent {
  return makeCrashEvent(
    {
      id,
      fingerprint: 'fp-db',
      timestamp: minutesAgo(minute),
      project: 'shop',
      errorType: 'TimeoutError',
      message: 'query timed out after 30000 ms',
      messageTemplate: 'query timed out after <num> ms',
      canonicalKind: 'timeoutError',
    },
    [
      { function: 'runReport', file: 'src/reports.js', line: 5 },
      { function: 'query', file: 'src/db/pool.js', line: 88 },
    ],
  );
}

/** An engine that, on its first snapshot of clusters, waits until its rival took one too: two instances racing. */
class RacingEngine extends ClusteringEngine {
  private waited = false;

  constructor(
    client: ClickHouse['client'],
    private readonly snapshotTaken: () => void,
    private readonly bothTaken: Promise<void>,
  ) {
    super(client);
  }

  protected override async loadCandidates(project: string) {
    const candidates = await super.loadCandidates(project);
    if (!this.waited) {
      this.waited = true;
      this.snapshotTaken();
      await this.bothTaken;
    }
    return candidates;
  }
}

describe('ClusteringEngine on ClickHouse', () => {
  const { env, cleanup } = testEnvironment('engine');
  const config = loadConfig(env, {});
  let clickhouse: ClickHouse;

  before(async () => {
    clickhouse = await connectClickHouse(config.clickhouse);
    await runMigrations(clickhouse.client, config.clickhouse);
  });
  after(async () => {
    await clickhouse?.close();
    cleanup();
  });

  const batch = [
    checkoutCrash('e1', 'priceOf', 5, 'u1'),
    checkoutCrash('e2', 'priceOf', 4, 'u2'),
    checkoutCrash('e3', 'totalOf', 4, 'u1'),
    dbTimeout('e4', 3),
    dbTimeout('e5', 3),
  ];

  async function issueCounts(): Promise<Map<string, number>> {
    const rows = await new ClusterQueries(clickhouse.client).issues('shop');
    return new Map(rows.map((r) => [r.fingerprint, r.events]));
  }

  it('stores events once, opens issues and clusters, and emits one issue.new per fingerprint', async () => {
    const engine = new ClusteringEngine(clickhouse.client);
    const result = await engine.ingest(batch);
    assert.equal(result.inserted, 5);
    assert.equal(result.newIssues, 3);
    const issueNew = result.pendingSignals.filter((s) => s.kind === 'issue.new').map((s) => s.fingerprint).sort();
    assert.deepEqual(issueNew, ['fp-db', 'fp-priceOf', 'fp-totalOf']);
    // priceOf and totalOf crash through the same in-app path with the same error kind: one cluster.
    const clusters = await new ClusterQueries(clickhouse.client).clusters('shop');
    const cart = clusters.find((c) => c.fingerprints.includes('fp-priceOf'));
    assert.ok(cart);
    assert.deepEqual(cart.fingerprints, ['fp-priceOf', 'fp-totalOf']);
    assert.equal(cart.events, 3);
    assert.equal(cart.affectedUsers, 2);
    assert.equal(result.pendingSignals.filter((s) => s.kind === 'cluster.new').length, 2);
    await engine.markPublished(result.pendingSignals);
  });

  it('counts nothing twice when the same batch is replayed after a restart', async () => {
    const restarted = new ClusteringEngine(clickhouse.client);
    const result = await restarted.ingest(batch);
    assert.equal(result.inserted, 0);
    assert.equal(result.duplicates, 5);
    assert.deepEqual(result.pendingSignals, []);
    assert.deepEqual(Object.fromEntries(await issueCounts()), { 'fp-priceOf': 2, 'fp-totalOf': 1, 'fp-db': 2 });
    assert.equal(await new EventsRepository(clickhouse.client).countEvents('shop'), 5);
    const minutes = await new ClusterQueries(clickhouse.client).minuteCounts('shop', ['fp-priceOf', 'fp-totalOf', 'fp-db']);
    assert.equal(minutes.reduce((sum, m) => sum + m.events, 0), 5);
  });

  it('reads some clusters only, and the timeline, releases and context of several clusters in one query each', async () => {
    const queries = new ClusterQueries(clickhouse.client);
    const all = await queries.clusters('shop');
    const cart = all.find((c) => c.fingerprints.includes('fp-priceOf'));
    const db = all.find((c) => c.fingerprints.includes('fp-db'));
    assert.ok(cart && db);
    assert.deepEqual(await queries.clusters('shop', { clusterIds: [db.clusterId] }), [db]);
    assert.deepEqual(await queries.clusters('shop', { clusterIds: [] }), []);
    const cartIssues = await queries.issues('shop', { clusterIds: [cart.clusterId] });
    assert.deepEqual(cartIssues.map((i) => [i.fingerprint, i.events]), [['fp-priceOf', 2], ['fp-totalOf', 1]]);
    assert.deepEqual(cartIssues, (await queries.issues('shop')).filter((i) => i.clusterId === cart.clusterId));

    const clusters = [cart, db];
    const timelines = await queries.timelines('shop', clusters);
    assert.deepEqual(timelines.get(cart.clusterId)?.map((m) => m.events), [1, 2], 'minute 5 then minute 4');
    assert.deepEqual(timelines.get(db.clusterId)?.map((m) => m.events), [2]);
    const releases = await queries.releases('shop', clusters);
    assert.deepEqual(releases.get(cart.clusterId)?.map((r) => [r.release, r.events]), [['1.0.0', 3]]);
    assert.deepEqual(releases.get(db.clusterId)?.map((r) => [r.release, r.events]), [['1.0.0', 2]]);
    const contexts = await queries.contexts('shop', clusters);
    assert.equal(contexts.get(cart.clusterId)?.tags.length, 3, 'one tag sample per event, up to 20');
    assert.equal(contexts.get(db.clusterId)?.tags.length, 2);
    assert.deepEqual(await queries.timelines('shop', []), new Map());
  });

  it('re-publishes only the signals a crashed attempt never published', async () => {
    const fresh = [checkoutCrash('e6', 'taxOf', 2, 'u3'), checkoutCrash('e7', 'priceOf', 2, 'u3')];
    const crashed = new ClusteringEngine(clickhouse.client);
    const first = await crashed.ingest(fresh);
    assert.deepEqual(first.pendingSignals.map((s) => s.id), ['issue.new:shop:fp-taxOf']);
    // The process dies before publishing; the batch is consumed again by another instance.
    const other = new ClusteringEngine(clickhouse.client);
    const second = await other.ingest(fresh);
    assert.equal(second.inserted, 0);
    assert.deepEqual(second.pendingSignals.map((s) => s.id), ['issue.new:shop:fp-taxOf']);
    await other.markPublished(second.pendingSignals);
    const third = await new ClusteringEngine(clickhouse.client).ingest(fresh);
    assert.deepEqual(third.pendingSignals, []);
    assert.equal((await issueCounts()).get('fp-priceOf'), 3);
  });

  it('keeps a partially stored batch exact', async () => {
    const engine = new ClusteringEngine(clickhouse.client);
    const mixed = [dbTimeout('e4', 3), dbTimeout('e8', 1), dbTimeout('e8', 1)];
    const result = await engine.ingest(mixed);
    assert.equal(result.inserted, 1);
    assert.equal((await issueCounts()).get('fp-db'), 3);
  });

  it('joins clusters two instances opened at once for one root cause, and keeps distinct bugs apart', async () => {
    let taken = 0;
    let release!: () => void;
    const bothTaken = new Promise<void>((resolve) => (release = resolve));
    const snapshotTaken = () => {
      if (++taken === 2) release();
    };
    const x = new RacingEngine(clickhouse.client, snapshotTaken, bothTaken);
    const y = new RacingEngine(clickhouse.client, snapshotTaken, bothTaken);
    const race = (event: CrashEvent): CrashEvent => ({ ...event, project: 'race' });
    // Neither instance sees the other's new cluster when it assigns: each opens its own.
    const [first, second] = await Promise.all([
      x.ingest([race(checkoutCrash('r1', 'priceOf', 3, 'u1'))]),
      y.ingest([race(checkoutCrash('r2', 'totalOf', 3, 'u2')), race(dbTimeout('r3', 3))]),
    ]);

    const clusters = await new ClusterQueries(clickhouse.client).clusters('race');
    assert.deepEqual(clusters.map((c) => c.fingerprints).sort(), [['fp-db'], ['fp-priceOf', 'fp-totalOf']]);
    const cart = clusters.find((c) => c.fingerprints.includes('fp-priceOf'))!.clusterId;

    const signals = [...first.pendingSignals, ...second.pendingSignals];
    const clusterNew = signals.filter((s) => s.kind === 'cluster.new').map((s) => s.clusterId).sort();
    assert.deepEqual(clusterNew, [cart, clusters.find((c) => c.fingerprints.includes('fp-db'))!.clusterId].sort(), 'one cluster.new per root cause');
    const issueNew = signals.filter((s) => s.kind === 'issue.new' && s.fingerprint !== 'fp-db');
    assert.equal(issueNew.length, 2);
    assert.ok(issueNew.every((s) => s.clusterId === cart), 'both issue.new name the surviving cluster');
    assert.equal(issueNew.filter((s) => s.details.joinedCluster === true).length, 1);
    assert.equal(first.newClusters + second.newClusters, 2);

    // The yielded issue's membership is a new version, its evidence says where it came from.
    const members = await new ClusterQueries(clickhouse.client).issues('race');
    const moved = members.filter((m) => m.clusterId === cart && (JSON.parse(m.evidence) as { yieldedFrom?: string }).yieldedFrom);
    assert.equal(moved.length, 1);
    const yielded = (JSON.parse(moved[0].evidence) as { yieldedFrom: string }).yieldedFrom;
    assert.notEqual(yielded, cart);
    // Read by cluster, the moved issue counts only where it is now.
    const queries = new ClusterQueries(clickhouse.client);
    assert.deepEqual(await queries.clusters('race', { clusterIds: [yielded] }), []);
    assert.deepEqual(await queries.issues('race', { clusterIds: [yielded] }), []);
    assert.deepEqual((await queries.clusters('race', { clusterIds: [cart, yielded] })).map((c) => c.fingerprints), [['fp-priceOf', 'fp-totalOf']]);
  });
});
