/**
 * `faultline analyze` as a user runs it: on the sample incident, through the compiled CLI,
 * with the offline analyzer. Checks the clusters.json contract, that every input event lands
 * in exactly one cluster or in `rejected`, symbolication, cross-source grouping and the culprit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { CrashEvent } from '@faultline/schema';
import { distRoot, repoRoot } from '@faultline/testing';

const ClustersContract = z.object({
  clusters: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      priority: z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']),
      category: z.string(),
      confidence: z.number().min(0).max(1),
      count: z.number().int(),
      affectedUsers: z.number().int(),
      firstSeen: z.iso.datetime(),
      lastSeen: z.iso.datetime(),
      issues: z.array(z.object({ fingerprint: z.string(), title: z.string(), eventIds: z.array(z.string()) })).min(1),
      eventIds: z.array(z.string()),
      suspectCommits: z.array(z.object({ sha: z.string(), summary: z.string(), score: z.number() })),
      regression: z.unknown().nullable(),
      spike: z.unknown().nullable(),
    }),
  ),
  rejected: z.array(z.object({ source: z.string(), line: z.number().int().nullable(), reason: z.string() })),
});

const root = repoRoot(__dirname);
const cli = join(distRoot(__dirname), 'apps', 'cli', 'src', 'main.js');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });

describe('faultline analyze on the sample incident', () => {
  const out = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  let stdout = '';
  let culprit = '';

  before(() => {
    const result = run(['analyze', 'examples/incident', '--out', out, '--llm', 'off', '--json']);
    assert.equal(result.status, 0, result.stderr);
    stdout = result.stdout;
    const repo = join(out, 'repo');
    execFileSync('git', ['clone', '-q', join(root, 'examples/incident/repo.bundle'), repo]);
    culprit = execFileSync('git', ['-C', repo, 'log', '--format=%H', '--grep', 'Apply loyalty discount'], { encoding: 'utf8' }).trim();
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('prints clusters.json that follows the contract, and writes the same file', () => {
    const printed = ClustersContract.parse(JSON.parse(stdout));
    const written = ClustersContract.parse(JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')));
    assert.deepEqual(printed, written);
  });

  it('puts every input event in exactly one cluster, and the broken upload in rejected', () => {
    const doc = ClustersContract.parse(JSON.parse(stdout));
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CrashEvent);
    const clustered = doc.clusters.flatMap((c) => c.eventIds);
    assert.equal(new Set(clustered).size, clustered.length, 'no event in two clusters');
    assert.deepEqual([...clustered].sort(), events.map((e) => e.id).sort());
    assert.ok(events.length > 250);
    const broken = doc.rejected.find((r) => r.source === 'broken-upload.json');
    assert.ok(broken, JSON.stringify(doc.rejected));
    assert.equal(broken.reason, 'invalid_json');
  });

  it('resolves minified browser frames through the source map', () => {
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CrashEvent);
    const web = events.find((e) => e.source.name === 'web-console.txt');
    assert.ok(web);
    const crashFrame = web.exceptions.at(-1)!.frames.at(-1)!;
    assert.equal(crashFrame.function, 'applyLoyaltyDiscount');
    assert.equal(crashFrame.file, 'src/cart/pricing.js');
    assert.equal(crashFrame.line, 19);
    assert.equal(crashFrame.symbolication?.status, 'resolved');
  });

  it('groups the same bug from three browsers and the backend into one cluster, apart from the others', () => {
    const doc = ClustersContract.parse(JSON.parse(stdout));
    assert.equal(doc.clusters.length, 3);
    const loyalty = doc.clusters[0];
    assert.ok(loyalty.eventIds.some((id) => id.startsWith('web-console.txt:')));
    assert.ok(loyalty.eventIds.some((id) => id.startsWith('backend.log:')));
    assert.equal(loyalty.priority, 'HIGH');
    const pool = doc.clusters.find((c) => c.title.includes('ResourceRequest timed out'));
    assert.ok(pool);
    assert.ok(!pool.eventIds.some((id) => loyalty.eventIds.includes(id)));
  });

  it('names the culprit commit of the sample incident, in clusters.json and in the report', () => {
    const doc = ClustersContract.parse(JSON.parse(stdout));
    assert.equal(doc.clusters[0].suspectCommits[0]?.sha, culprit);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(report, new RegExp(`Suspect commit: \`${culprit.slice(0, 12)}\``));
    for (const section of ['## Executive summary', '## Clusters by priority', '## Timeline', '## Regressions and spikes', '## Hypotheses', '## Recommendations', '## Prevention']) {
      assert.ok(report.includes(section), section);
    }
    // The pool timeouts started long before any deploy: no commit is blamed for them.
    const pool = doc.clusters.find((c) => c.title.includes('ResourceRequest timed out'))!;
    assert.ok(pool.suspectCommits.every((c) => c.score < 0.45));
  });
});

describe('faultline usage errors', () => {
  it('exits 2 without paths, with an unknown flag, or with a bad --llm', () => {
    assert.equal(run(['analyze']).status, 2);
    assert.equal(run(['analyze', 'examples/incident', '--nope']).status, 2);
    assert.equal(run(['analyze', 'examples/incident', '--llm', 'maybe']).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
  });

  it('exits 1 when nothing could be analyzed', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-cli-empty-'));
    try {
      const result = run(['analyze', join(root, 'examples/incident/crashes/broken-upload.json'), '--out', out, '--llm', 'off']);
      assert.equal(result.status, 1, result.stderr);
      const doc = ClustersContract.parse(JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')));
      assert.equal(doc.clusters.length, 0);
      assert.equal(doc.rejected.length, 1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
