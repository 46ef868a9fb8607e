import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CrashEvent, Deploy } from '@faultline/schema';
// A spec wires the real git adapter behind the port; the library itself never imports it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CliGitRepository } from '@faultline/git';
import { buildEvidencePack, EvidenceInput } from './build-evidence-pack';
import { itemsOf } from './evidence';
import { analyzeHeuristically, rankSuspects } from './heuristic-analyzer';
import type { GitRepository } from './ports';
import { culpritOf, RootCauseAnalysis } from './rca-schema';
import { analysisCacheKey } from './cache-key';
import { renderAnalysisMarkdown } from './markdown';

/** A scratch repository whose commits carry author dates; removed after the suite. */
function scratchRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rca-spec-'));
  const files = new Map<string, string>();
  const git = (args: string[], at?: string) =>
    execFileSync('git', ['-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: at ?? '', GIT_COMMITTER_DATE: at ?? '', GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  git(['init', '-q', '-b', 'main']);
  return {
    dir,
    write(path: string, content: string) {
      files.set(path, content);
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    replace(path: string, from: string, to: string) {
      const content = files.get(path)!;
      assert.ok(content.includes(from), `${path} has ${from}`);
      this.write(path, content.replace(from, to));
    },
    lineOf(path: string, needle: string) {
      return files.get(path)!.split('\n').findIndex((l) => l.includes(needle)) + 1;
    },
    commit(message: string, at: string): string {
      git(['add', '-A']);
      git(['commit', '-q', '-m', message], at);
      return git(['rev-parse', 'HEAD']);
    },
    tag: (name: string, at: string) => git(['tag', '-a', name, '-m', name], at),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function event(id: string, at: string, release: string, errorType: string, message: string, frames: Array<{ fn: string; file: string; line: number | null; inApp?: boolean; context?: string }>): CrashEvent {
  return {
    id,
    project: 'shop',
    timestamp: at,
    receivedAt: at,
    platform: 'node',
    release,
    environment: 'production',
    severity: 'error',
    errorType,
    message,
    messageTemplate: message,
    canonicalKind: 'null_property_access',
    exceptions: [{ type: errorType, value: message, frames: frames.map((f) => ({ function: f.fn, module: null, file: f.file, line: f.line, column: 5, inApp: f.inApp ?? true, contextLine: f.context ?? null })) }],
    userId: 'u-1',
    tags: {},
    region: 'eu-west-1',
    transaction: null,
    serverName: null,
    contexts: { os: 'Linux', device: null, browser: null, runtime: 'node' },
    debugImages: [],
    source: { kind: 'sentry', name: 'shop', line: null },
    fingerprint: 'fp',
    fingerprintParts: [],
    raw: '{}',
  };
}

function minutes(from: string, counts: (minute: number) => number, before = 120, after = 90) {
  const t0 = Date.parse(from);
  return Array.from({ length: before + after }, (_, i) => ({ at: new Date(t0 + (i - before) * 60_000).toISOString(), count: counts(i - before) }));
}

const ORDERS_V1 = `export interface Order { id: string; discount: { amount: number } | null; lines: number[]; shipping: number }

export function subtotal(order: Order): number {
  return order.lines.reduce((a, b) => a + b, 0);
}

export function orderTotals(order: Order) {
  const lines = subtotal(order);
  const discount = order.discount?.amount ?? 0;
  return { lines, discount, total: lines - discount + order.shipping };
}

export function orderNumber(id: string): string {
  return 'ORD-' + id.padStart(8, '0');
}
`;

void describe('heuristic analysis on a real repository', () => {
  const repo = scratchRepo();
  after(() => repo.dispose());

  // History: v1.0.0, then a decoy and the regression, tagged v1.1.0 and deployed; crashes follow.
  repo.write('src/orders/totals.ts', ORDERS_V1);
  repo.write('src/routes/orders.ts', "import { orderTotals } from '../orders/totals';\n\nexport function getOrder(order: never) {\n  return { totals: orderTotals(order) };\n}\n");
  repo.write('deploy/production.env', 'DB_POOL_MAX=20\n');
  repo.write('README.md', '# shop\n');
  const initial = repo.commit('Initial import', '2025-02-01T10:00:00Z');
  repo.tag('v1.0.0', '2025-02-01T10:05:00Z');
  repo.write('README.md', '# shop\n\nOrders API.\n');
  const docs = repo.commit('docs: describe the API', '2025-02-10T09:00:00Z');
  repo.replace('src/orders/totals.ts', "return 'ORD-' + id.padStart(8, '0');", "return 'ORD-' + id.padStart(10, '0');");
  const decoy = repo.commit('orders: longer order numbers', '2025-02-11T09:00:00Z');
  repo.replace('src/orders/totals.ts', 'const discount = order.discount?.amount ?? 0;', 'const discount = order.discount.amount;');
  const culprit = repo.commit('orders: discounts are always loaded now', '2025-02-12T09:00:00Z');
  repo.tag('v1.1.0', '2025-02-12T10:00:00Z');
  const v110 = culprit;

  const onset = '2025-02-12T10:20:00Z';
  const crashLine = repo.lineOf('src/orders/totals.ts', 'const discount = order.discount.amount;');
  const callerLine = repo.lineOf('src/routes/orders.ts', 'return { totals: orderTotals(order) };');
  const crash = (id: string, at: string) =>
    event(id, at, 'v1.1.0', 'TypeError', "Cannot read properties of null (reading 'amount')", [
      { fn: 'Layer.handle', file: '/app/node_modules/express/lib/router/layer.js', line: 95, inApp: false },
      { fn: 'getOrder', file: 'webpack://shop/./src/routes/orders.ts', line: callerLine },
      { fn: 'orderTotals', file: 'webpack://shop/./src/orders/totals.ts', line: crashLine, context: 'const discount = order.discount.amount;' },
    ]);
  const deploys: Deploy[] = [
    { project: 'shop', release: 'v1.0.0', environment: 'production', commitSha: initial, previousSha: null, deployedAt: '2025-02-01T11:00:00Z', changedFiles: [] },
    { project: 'shop', release: 'v1.1.0', environment: 'production', commitSha: v110, previousSha: initial, deployedAt: '2025-02-12T10:05:00Z', changedFiles: [] },
  ];
  const input = (withDeploys: boolean): EvidenceInput => ({
    cluster: {
      clusterId: 'cl-1',
      project: 'shop',
      title: "TypeError: Cannot read properties of null (reading 'amount')",
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      messageTemplate: 'Cannot read properties of null (reading <str>)',
      count: 900,
      users: 420,
      firstSeen: onset,
      lastSeen: '2025-02-12T11:49:00Z',
      timeline: minutes(onset, (m) => (m < 0 ? 0 : 10)),
    },
    releases: [{ release: 'v1.1.0', firstSeen: onset, lastSeen: '2025-02-12T11:49:00Z', count: 900 }],
    deploys: withDeploys ? deploys : [],
    breakdowns: { region: [{ value: 'eu-west-1', count: 600 }, { value: 'us-east-1', count: 300 }], browser: [{ value: 'Chrome 122', count: 900 }] },
    events: [crash('e1', '2025-02-12T10:21:13Z'), crash('e2', '2025-02-12T10:25:40Z'), crash('e3', '2025-02-12T10:40:02Z')],
    builtAt: '2025-02-12T11:50:00Z',
  });

  let analysis: RootCauseAnalysis;

  void it('builds a pack with stable ids from the deploy range, blame, code and configuration', async () => {
    const pack = await buildEvidencePack(input(true), { git: new CliGitRepository(repo.dir) });
    assert.deepEqual(pack.notes, []);
    assert.equal(pack.range.source, 'deploy');
    assert.equal(pack.suspectDeployId, 'v1.1.0@production');
    const ids = pack.items.map((i) => i.id);
    for (const id of [
      'ev:stats',
      'ev:timeline',
      'ev:releases',
      'ev:deploy:v1.1.0@production',
      'ev:breakdown:region',
      'ev:event:e1',
      `ev:commit:${culprit}`,
      `ev:commit:${decoy}`,
      `ev:commit:${docs}`,
      `ev:blame:src/orders/totals.ts#L${crashLine}`,
      `ev:blame:src/routes/orders.ts#L${callerLine}`,
    ]) {
      assert.ok(ids.includes(id), `pack has ${id}`);
    }
    assert.ok(ids.some((id) => id.startsWith('ev:file:src/orders/totals.ts#L')));
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    const blame = itemsOf(pack, 'blame').find((b) => b.data.path === 'src/orders/totals.ts');
    assert.equal(blame?.data.sha, culprit);
    const event = itemsOf(pack, 'event')[0].data;
    assert.equal(event.frames.at(-1)?.repoPath, 'src/orders/totals.ts', 'webpack:// path mapped to the repository');
    assert.equal(event.frames[0].inApp, false);
  });

  void it('ranks the commit that introduced the regression first', async () => {
    const pack = await buildEvidencePack(input(true), { git: new CliGitRepository(repo.dir) });
    const ranked = rankSuspects(pack);
    assert.equal(ranked[0].facts.sha, culprit);
    assert.ok(ranked[0].score > 0.9);
    assert.ok(ranked.find((s) => s.facts.sha === decoy)!.score < ranked[0].score - 0.3, 'the same-file decoy is far from the crash line');
    analysis = analyzeHeuristically(pack);
    assert.equal(analysis.analyzer, 'heuristic');
    assert.equal(culpritOf(analysis), culprit);
    assert.equal(analysis.category, 'code_regression');
    assert.ok(analysis.confidence >= 0.8);
    assert.ok(analysis.evidenceIds.includes(`ev:blame:src/orders/totals.ts#L${crashLine}`));
    assert.ok(analysis.fix.patch?.includes('+    const discount = order.discount?.amount ?? 0;') || analysis.fix.patch?.includes('+  const discount = order.discount?.amount ?? 0;'), 'the fix carries the revert patch');
    for (const id of [...analysis.evidenceIds, ...analysis.hypotheses.flatMap((h) => h.evidenceIds)]) assert.ok(pack.items.some((i) => i.id === id), `cited ${id} exists`);
    const markdown = renderAnalysisMarkdown(analysis, pack);
    for (const heading of ['## Executive summary', '## Timeline', '## Impact', '## Root cause', '## Evidence', '## Hypotheses', '## Fix', '## Verification', '## Prevention']) assert.ok(markdown.includes(heading), heading);
    assert.ok(markdown.includes(culprit.slice(0, 12)));
  });

  void it('falls back to release tags when there are no deploy markers', async () => {
    const pack = await buildEvidencePack(input(false), { git: new CliGitRepository(repo.dir) });
    assert.equal(pack.range.source, 'tags');
    assert.equal(culpritOf(analyzeHeuristically(pack)), culprit);
  });

  void it('names no culprit for an upstream outage long after the last deploy', async () => {
    const later = '2025-02-14T16:00:00Z';
    const timeout = (id: string, at: string) =>
      event(id, at, 'v1.1.0', 'AxiosError', 'timeout of 5000ms exceeded', [
        { fn: 'getOrder', file: 'webpack://shop/./src/routes/orders.ts', line: callerLine },
        { fn: 'RedirectableRequest.handleRequestTimeout', file: '/app/node_modules/axios/lib/adapters/http.js', line: 661, inApp: false },
      ]);
    const outage = input(true);
    outage.cluster = { ...outage.cluster, title: 'AxiosError: timeout', errorType: 'AxiosError', messageTemplate: 'timeout of <num>ms exceeded', canonicalKind: 'timeout', firstSeen: later, timeline: minutes(later, (m) => (m < 0 ? 0 : 20)) };
    outage.releases = [{ release: 'v1.1.0', firstSeen: later, lastSeen: later, count: 1200 }];
    outage.events = [timeout('t1', '2025-02-14T16:01:00Z'), timeout('t2', '2025-02-14T16:09:00Z')];
    const pack = await buildEvidencePack(outage, { git: new CliGitRepository(repo.dir) });
    const result = analyzeHeuristically(pack);
    assert.equal(culpritOf(result), null);
    assert.equal(result.category, 'upstream_failure');
    assert.ok(result.suspectCommits.every((s) => s.score < 0.45));
    assert.match(result.hypotheses[0].statement, /no change in the deploy range/i);
    assert.match(result.rollbackPlan, /No rollback/);
  });

  void it('records git failures in the pack instead of failing or looking complete', async () => {
    const broken: GitRepository = {
      log: () => Promise.reject(new Error('fatal: bad revision')),
      diff: () => Promise.reject(new Error('boom')),
      blame: () => Promise.reject(new Error('fatal: no such path')),
      show: () => Promise.resolve(null),
      tags: () => Promise.resolve([]),
      changedFiles: () => Promise.resolve([]),
      resolve: (rev) => Promise.resolve(rev),
      listFiles: () => Promise.resolve(['src/orders/totals.ts', 'src/routes/orders.ts']),
    };
    const pack = await buildEvidencePack(input(true), { git: broken });
    assert.ok(pack.notes.some((n) => /git log failed: fatal: bad revision/.test(n)));
    assert.ok(pack.notes.some((n) => /git blame .* failed/.test(n)));
    const result = analyzeHeuristically(pack);
    assert.equal(culpritOf(result), null);
    assert.ok(result.confidence <= 0.3);
    const withoutGit = await buildEvidencePack(input(true));
    assert.ok(withoutGit.notes.some((n) => /no repository configured/.test(n)));
  });

  void it('keys the analysis by material change only', async () => {
    const base = input(true);
    const same = { ...input(true), events: input(true).events.slice(0, 1) };
    assert.equal(analysisCacheKey(base), analysisCacheKey(same));
    const newRelease = input(true);
    newRelease.releases = [...newRelease.releases, { release: 'v1.1.1', firstSeen: '2025-02-12T11:00:00Z', lastSeen: '2025-02-12T11:49:00Z', count: 10 }];
    assert.notEqual(analysisCacheKey(newRelease), analysisCacheKey(base));
    const tripled = input(true);
    tripled.cluster = { ...tripled.cluster, timeline: minutes(onset, (m) => (m < 0 ? 0 : 30)) };
    assert.notEqual(analysisCacheKey(tripled), analysisCacheKey(base));
    const slightly = input(true);
    slightly.cluster = { ...slightly.cluster, timeline: minutes(onset, (m) => (m < 0 ? 0 : m % 2 ? 11 : 10)) };
    assert.equal(analysisCacheKey(slightly), analysisCacheKey(base));
  });

  void it('finds configuration the crashing code reads, and the commit that changed it', async () => {
    const cfg = scratchRepo();
    try {
      cfg.write('src/db/pool.ts', 'import knex from "knex";\n\nexport const db = knex({\n  client: "pg",\n  pool: { max: Number(process.env.DB_POOL_MAX ?? 10) },\n});\n\nexport async function query(sql: string) {\n  return db.raw(sql);\n}\n');
      cfg.write('deploy/production.env', 'DB_POOL_MAX=20\nLOG_LEVEL=info\n');
      const first = cfg.commit('Initial import', '2025-02-01T10:00:00Z');
      cfg.write('deploy/production.env', 'DB_POOL_MAX=20\nLOG_LEVEL=debug\n');
      cfg.commit('ops: debug logs', '2025-02-10T10:00:00Z');
      cfg.write('deploy/production.env', 'DB_POOL_MAX=2\nLOG_LEVEL=debug\n');
      const change = cfg.commit('ops: fewer connections per pod', '2025-02-11T10:00:00Z');
      const at = '2025-02-11T12:00:00Z';
      const line = cfg.lineOf('src/db/pool.ts', 'return db.raw(sql);');
      const pack = await buildEvidencePack(
        {
          ...input(true),
          cluster: { ...input(true).cluster, errorType: 'KnexTimeoutError', messageTemplate: 'Knex: Timeout acquiring a connection. The pool is probably full.', timeline: minutes(at, (m) => (m < 0 ? 0 : 15)), firstSeen: at },
          releases: [{ release: 'v2', firstSeen: at, lastSeen: at, count: 100 }],
          deploys: [{ project: 'shop', release: 'v2', environment: 'production', commitSha: change, previousSha: first, deployedAt: '2025-02-11T11:50:00Z', changedFiles: [] }],
          events: [
            event('p1', at, 'v2', 'KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.', [
              { fn: 'query', file: '/app/src/db/pool.ts', line },
              { fn: 'acquireConnection', file: '/app/node_modules/knex/lib/client.js', line: 312, inApp: false },
            ]),
          ],
        },
        { git: new CliGitRepository(cfg.dir) },
      );
      assert.ok(pack.items.some((i) => i.id === 'ev:env:DB_POOL_MAX'));
      assert.ok(pack.items.some((i) => i.kind === 'file' && i.data.role === 'config' && i.data.path === 'deploy/production.env'));
      const result = analyzeHeuristically(pack);
      assert.equal(result.category, 'connection_pool_exhaustion');
      assert.equal(culpritOf(result), change);
      assert.ok(result.suspectCommits[0].evidenceIds.includes('ev:env:DB_POOL_MAX'));
    } finally {
      cfg.dispose();
    }
  });
});
