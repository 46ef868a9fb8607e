import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterListRow } from '@faultline/clickhouse';
import { clusterStatus, suspectCommitsOf, summarize } from './clusters.service';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const row = (over: Partial<ClusterListRow> = {}): ClusterListRow => ({
  clusterId: 'cl_a',
  events: 10,
  affectedUsers: 4,
  windowFirstEvent: '2026-03-01T10:00:00.000Z',
  windowLastEvent: '2026-03-01T11:00:00.000Z',
  transactions: [],
  tagPairs: [],
  issues: 2,
  confidence: 0.8123456,
  title: 'TypeError in applyDiscount',
  category: 'null_reference',
  firstSeen: '2026-02-01T00:00:00.000Z',
  lastSeen: '2026-03-01T11:00:00.000Z',
  releases: ['1.0'],
  environments: ['production'],
  statuses: ['unresolved'],
  ...over,
});

describe('cluster status', () => {
  it('is the most open status among the issues', () => {
    assert.equal(clusterStatus(['ignored', 'unresolved']), 'unresolved');
    assert.equal(clusterStatus(['ignored', 'resolved', 'resolved_in_release']), 'resolved_in_release');
    assert.equal(clusterStatus(['ignored', 'resolved']), 'resolved');
    assert.equal(clusterStatus(['ignored']), 'ignored');
    assert.equal(clusterStatus([]), 'unresolved');
    assert.equal(clusterStatus(['something-new']), 'unresolved');
  });
});

describe('cluster summary', () => {
  it('rates events over first matching event → now, at least an hour', () => {
    const s = summarize(row(), {}, NOW);
    assert.equal(s.priority.eventsPerHour, 5);
    assert.equal(s.confidence, 0.812);
    assert.deepEqual(s.range, { firstEvent: '2026-03-01T10:00:00.000Z', lastEvent: '2026-03-01T11:00:00.000Z' });
    assert.equal(summarize(row({ windowFirstEvent: '2026-03-01T11:59:00.000Z' }), {}, NOW).priority.eventsPerHour, 10);
    assert.equal(summarize(row(), { from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T10:00:00.000Z' }, NOW).priority.eventsPerHour, 1);
  });

  it('applies the criticality rules through tags and transactions', () => {
    assert.equal(summarize(row({ transactions: ['POST /checkout/pay'] }), {}, NOW).priority.tier, 'CRITICAL');
    const low = summarize(row({ tagPairs: ['job=analytics-retry', 'region=eu'] }), {}, NOW);
    assert.deepEqual([low.priority.tier, low.priority.matchedRule], ['LOW', 'analytics-retry-job']);
  });

  it('has no range and an unknown category when nothing matched or the category is new', () => {
    const s = summarize(row({ events: 0, affectedUsers: 0, category: 'brand_new' }), {}, NOW);
    assert.equal(s.range, null);
    assert.equal(s.category, 'unknown');
    assert.equal(s.count, 0);
  });
});

describe('suspect commits', () => {
  it('come from the commit items of the evidence, suspect deploy first', () => {
    const evidence = JSON.stringify({
      items: [
        { kind: 'commit', data: { sha: 'aaa', subject: 'outside', window: 'outside', files: [] } },
        { kind: 'stats', data: {} },
        { kind: 'commit', data: { sha: 'bbb', subject: 'the one', window: 'suspect_deploy', deployId: 'd1', files: ['x.js'], blamedLines: [{}, {}] } },
        { kind: 'commit', data: { subject: 'no sha' } },
      ],
    });
    assert.deepEqual(suspectCommitsOf(evidence).map((c) => [c.sha, c.window, c.blamedLines]), [['bbb', 'suspect_deploy', 2], ['aaa', 'outside', 0]]);
  });

  it('are empty without usable evidence', () => {
    for (const bad of [null, '', 'not json', '{}', '{"items":{}}']) assert.deepEqual(suspectCommitsOf(bad), []);
  });
});
