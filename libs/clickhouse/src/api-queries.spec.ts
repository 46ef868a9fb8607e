// The API's queries on embedded chDB (in-process, a fresh directory): every filter and keyset
// path runs against the migrated schema.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrashEvent } from '@faultline/schema';
import { ApiQueries } from './api-queries';
import { connectClickHouse, type ClickHouse } from './client';
import { EventsRepository } from './events.repository';
import { IssuesRepository } from './issues.repository';
import { runMigrations } from './migrations';
import { toClickHouseTime } from './rows';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function event(id: string, fingerprint: string, minute: number, over: Partial<CrashEvent> = {}): CrashEvent {
  return {
    id,
    project: 'p1',
    timestamp: at(minute),
    receivedAt: at(minute),
    platform: 'node',
    release: '1.0',
    environment: 'production',
    severity: 'error',
    errorType: 'Error',
    message: 'boom',
    messageTemplate: 'boom',
    canonicalKind: 'unknown',
    exceptions: [],
    userId: null,
    tags: {},
    region: null,
    transaction: null,
    serverName: null,
    contexts: { os: null, device: null, browser: null, runtime: null },
    debugImages: [],
    source: { kind: 'native', name: 'spec', line: null },
    fingerprint,
    fingerprintParts: [],
    raw: '',
    ...over,
  };
}

describe('ApiQueries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-chdb-apiq-'));
  let ch: ClickHouse;
  let q: ApiQueries;

  before(async () => {
    ch = await connectClickHouse({ url: null, user: 'default', password: '', database: 'faultline', chdbPath: dir, eventsTtlDays: 3650 });
    await runMigrations(ch.client, { eventsTtlDays: 3650 });
    q = new ApiQueries(ch.client);
    const issues = new IssuesRepository(ch.client);
    await new EventsRepository(ch.client).insertEvents([
      event('a1', 'fa', 0, { userId: 'u1', transaction: 'GET /checkout', tags: { job: 'x' }, contexts: { os: 'Linux', device: null, browser: 'Chrome', runtime: null } }),
      event('a2', 'fa', 1, { userId: 'u2', contexts: { os: 'Linux', device: null, browser: 'Firefox', runtime: null } }),
      event('a3', 'fa', 1, { userId: 'u2', release: '1.1', contexts: { os: 'macOS', device: null, browser: 'Chrome', runtime: null } }),
      event('b1', 'fb', 5, { environment: 'staging' }),
      event('c1', 'fc', 7),
      event('x1', 'fx', 3, { project: 'p2' }),
    ]);
    const issueRow = (fingerprint: string, title: string, category: string, minute: number) => ({
      project: 'p1', fingerprint, title, platform: 'node', errorType: 'Error', canonicalKind: 'unknown', category,
      messageTemplate: 'boom', culprit: '', signature: '{}', firstEventId: `${fingerprint}-1`, firstSeen: at(minute),
    });
    await issues.insertIssues([issueRow('fa', 'A crash', 'null_reference', 0), issueRow('fb', 'B crash', 'timeout', 5), issueRow('fc', 'C crash', 'network', 7)]);
    const membership = (fingerprint: string, clusterId: string, version: number, confidence = 0.9) => ({
      project: 'p1', fingerprint, clusterId, version, confidence, evidence: '{}', assignedBy: 'auto' as const, assignedAt: at(0),
    });
    await issues.insertMemberships([membership('fa', 'cl_a', 1, 1), membership('fb', 'cl_b', 1, 0.8), membership('fc', 'cl_b', 1, 0.7)]);
    // A later version moves fc into its own cluster: only the highest version counts.
    await issues.insertMemberships([membership('fc', 'cl_c', 2, 1)]);
    await issues.setStatus({ project: 'p1', fingerprint: 'fb', status: 'ignored', resolvedInRelease: null, changedAt: at(9), changedBy: 'spec' });
  });

  after(async () => {
    await ch?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists clusters with filtered counts and all-time facts', async () => {
    const rows = await q.clusterList('p1', {});
    assert.deepEqual(rows.map((r) => [r.clusterId, r.events, r.issues]), [['cl_a', 3, 1], ['cl_b', 1, 1], ['cl_c', 1, 1]]);
    const a = rows[0];
    assert.equal(a.affectedUsers, 2);
    assert.equal(a.title, 'A crash');
    assert.equal(a.category, 'null_reference');
    assert.deepEqual(a.releases, ['1.0', '1.1']);
    assert.deepEqual(a.transactions, ['GET /checkout']);
    assert.deepEqual(a.tagPairs, ['job=x']);
    assert.equal(a.windowFirstEvent, at(0));
    assert.equal(a.windowLastEvent, at(1));
    assert.deepEqual(a.statuses, ['unresolved']);
    assert.deepEqual(rows[1].statuses, ['ignored']);
    assert.ok(Math.abs(rows[1].confidence - 0.8) < 1e-6);
  });

  it('filters by environment, release, window and cluster; clusters without matches keep zero counts', async () => {
    const staging = await q.clusterList('p1', { environment: 'staging' });
    assert.deepEqual(staging.map((r) => [r.clusterId, r.events]), [['cl_a', 0], ['cl_b', 1], ['cl_c', 0]]);
    const r11 = await q.clusterList('p1', { release: '1.1' });
    assert.equal(r11.find((r) => r.clusterId === 'cl_a')?.events, 1);
    const late = await q.clusterList('p1', { from: at(4), to: at(6) });
    assert.deepEqual(late.filter((r) => r.events > 0).map((r) => r.clusterId), ['cl_b']);
    const one = await q.clusterList('p1', { clusterIds: ['cl_c'] });
    assert.deepEqual(one.map((r) => r.clusterId), ['cl_c']);
    assert.deepEqual(await q.clusterList('nope', {}), []);
  });

  it('reads members, versions and issues with status', async () => {
    assert.deepEqual((await new IssuesRepository(ch.client).clusterMembers('p1', ['cl_b', 'cl_c'])).map((m) => [m.fingerprint, m.clusterId, m.version]), [['fb', 'cl_b', 1], ['fc', 'cl_c', 2]]);
    assert.equal(await q.maxMembershipVersion('p1', ['fa', 'fc']), 2);
    assert.equal(await q.maxMembershipVersion('p1', ['unknown']), 0);
    const [issue] = await q.clusterIssues('p1', 'cl_b');
    assert.equal(issue.fingerprint, 'fb');
    assert.equal(issue.status, 'ignored');
    assert.equal(issue.events, 1);
    assert.equal(issue.firstSeen, at(5));
  });

  it('counts releases and top breakdown values per dimension', async () => {
    assert.deepEqual((await q.releaseCounts('p1', ['fa'])).map((r) => [r.release, r.events]), [['1.0', 2], ['1.1', 1]]);
    const breakdowns = await q.breakdowns('p1', ['fa'], {}, 1);
    const browser = breakdowns.filter((b) => b.dimension === 'browser');
    assert.deepEqual(browser, [{ dimension: 'browser', value: 'Chrome', events: 2 }]);
    assert.deepEqual(new Set(breakdowns.map((b) => b.dimension)), new Set(['browser', 'os', 'device', 'region', 'release', 'environment']));
  });

  it('pages events newest first by keyset', async () => {
    const first = await q.listEvents('p1', { limit: 2 });
    assert.deepEqual(first.map((e) => e.eventId), ['c1', 'b1']);
    const next = await q.listEvents('p1', { limit: 10, after: { at: first[1].timestamp, id: first[1].eventId } });
    assert.deepEqual(next.map((e) => e.eventId), ['a2', 'a3', 'a1']);
    const tie = await q.listEvents('p1', { limit: 10, after: { at: at(1), id: 'a2' } });
    assert.deepEqual(tie.map((e) => e.eventId), ['a3', 'a1'], 'same timestamp: ordered by id');
    assert.deepEqual((await q.listEvents('p1', { fingerprint: 'fb', limit: 10 })).map((e) => e.eventId), ['b1']);
  });

  it('stores, finds and lists deploys', async () => {
    const deploy = (id: string, minute: number, environment = 'production') => ({
      id, project: 'p1', environment, release: `r${minute}`, commitSha: 'abc1234', previousSha: null, deployedAt: at(minute), changedFiles: ['a.js'],
    });
    await q.insertDeploy(deploy('d1', -10));
    await q.insertDeploy(deploy('d2', 3));
    await q.insertDeploy(deploy('d3', -5, 'staging'));
    const found = await q.findDeploy('p1', 'd1');
    assert.equal(found?.release, 'r-10');
    assert.equal(found?.previousSha, null);
    assert.deepEqual(found?.changedFiles, ['a.js']);
    assert.equal(await q.findDeploy('p2', 'd1'), null);
    assert.deepEqual((await q.listDeploys('p1', { limit: 10 })).map((d) => d.id), ['d2', 'd3', 'd1']);
    assert.deepEqual((await q.listDeploys('p1', { limit: 10, environment: 'production', after: { at: at(3), id: 'd2' } })).map((d) => d.id), ['d1']);
    assert.equal((await q.deployBefore('p1', at(0), ['production']))?.id, 'd1');
    assert.equal((await q.deployBefore('p1', at(0), []))?.id, 'd3');
    assert.equal(await q.deployBefore('p1', at(-60), []), null);
  });

  it('reads analyses with evidence only when asked', async () => {
    await ch.client.insert({
      table: 'analyses',
      format: 'JSONEachRow',
      values: [1, 2].map((n) => ({
        id: `an${n}`, project: 'p1', cluster_id: 'cl_a', cache_key: '', analyzer: 'heuristic', model: '', status: 'ok', failure_reason: '',
        document: '{}', markdown: `# ${n}`, evidence: '{"items":[]}', input_tokens: n, output_tokens: 0, created_at: toClickHouseTime(at(n)),
      })),
    });
    const withEvidence = await q.analyses('p1', 'cl_a', { limit: 1, withEvidence: true });
    assert.deepEqual(withEvidence.map((a) => [a.id, a.evidence]), [['an2', '{"items":[]}']]);
    const without = await q.analyses('p1', 'cl_a', { limit: 5, withEvidence: false });
    assert.deepEqual(without.map((a) => [a.id, a.evidence]), [['an2', null], ['an1', null]]);
  });

  it('pages alerts by alert, with every delivery row', async () => {
    const row = (id: string, target: string, minute: number) => ({
      id, project: 'p1', cluster_id: 'cl_a', trigger: 'spike', target, status: 'sent', attempts: 1, last_error: '', payload: '{}',
      created_at: toClickHouseTime(at(minute)), updated_at: toClickHouseTime(at(minute)),
    });
    await ch.client.insert({ table: 'alerts', format: 'JSONEachRow', values: [row('al1', 't1', 1), row('al1', 't2', 1), row('al2', 't1', 2), row('al3', 't1', 3)] });
    const first = await q.listAlerts('p1', { limit: 2 });
    assert.deepEqual(first.map((r) => `${r.alertId}/${r.target}`), ['al3/t1', 'al2/t1']);
    const rest = await q.listAlerts('p1', { limit: 2, after: { at: at(2), id: 'al2' } });
    assert.deepEqual(rest.map((r) => `${r.alertId}/${r.target}`), ['al1/t1', 'al1/t2']);
    assert.deepEqual(await q.listAlerts('p1', { limit: 2, clusterId: 'cl_zzz' }), []);
  });

  it('reads projects from the project store', async () => {
    await ch.client.insert({ table: 'projects', format: 'JSONEachRow', values: [{ id: 'stored', name: 'Stored', public_key: 'k'.repeat(16), repo_path: '', created_at: toClickHouseTime(at(0)), version: 1 }] });
    assert.deepEqual(await q.storedProjects(), [{ id: 'stored', name: 'Stored', publicKey: 'k'.repeat(16) }]);
  });
});
