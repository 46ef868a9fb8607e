import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeployMarker, ResolvedIssueActivity } from '@faultline/clickhouse';
import { attributableDeploys, deployTimesOf, findRegression, minuteLabel, regressionSignalId, spikeSignalId, spikeWindows } from './detection-plan';

const T = Date.UTC(2025, 2, 10, 12, 0, 0);
const at = (minutes: number, seconds = 0) => new Date(T + minutes * 60_000 + seconds * 1000).toISOString();

function deploy(id: string, release: string, deployedAt: string, environment = 'production', inferred = false): DeployMarker {
  return { id, project: 'p', environment, release, commitSha: null, previousSha: null, deployedAt, changedFiles: [], inferred };
}

describe('spikeWindows', () => {
  it('puts the last three minutes (zeros filled, current minute last) in recent and everything before in history', () => {
    const minutes = [
      { start: at(-10), count: 1 },
      { start: at(-3), count: 2 },
      { start: at(-1), count: 7 },
      { start: at(0), count: 4 },
      { start: at(1), count: 99 }, // clock skew: after now
    ];
    const { history, recent } = spikeWindows(minutes, T + 25_000);
    assert.deepEqual(history, [
      { start: at(-10), count: 1 },
      { start: at(-3), count: 2 },
    ]);
    assert.deepEqual(recent, [
      { start: at(-2), count: 0 },
      { start: at(-1), count: 7 },
      { start: at(0), count: 4 },
    ]);
  });
});

describe('signal ids', () => {
  it('are deterministic: the onset minute, compact', () => {
    assert.equal(minuteLabel(at(3, 42)), '2025-03-10T12:03Z');
    assert.equal(spikeSignalId('shop', 'cl_1', at(3, 42)), 'spike:shop:cl_1:2025-03-10T12:03Z');
    assert.equal(spikeSignalId('shop', 'cl_1', at(3)), spikeSignalId('shop', 'cl_1', at(3, 59)));
    assert.equal(regressionSignalId('shop', 'fp', '2.0.0'), 'regression:shop:fp:2.0.0');
  });
});

describe('attributableDeploys', () => {
  it('keeps the cluster environments, drops inferred markers a reported deploy covers', () => {
    const deploys = [
      deploy('d1', '1.0.0', at(-100)),
      deploy('inferred:a', '1.0.0', at(-90), 'production', true),
      deploy('inferred:b', '1.1.0', at(-5), 'production', true),
      deploy('d2', '1.1.0', at(-10), 'staging'),
      deploy('inferred:c', '1.2.0', at(-1), '', true),
    ];
    assert.deepEqual(attributableDeploys(deploys, ['production']).map((d) => d.id), ['d1', 'inferred:b', 'inferred:c']);
    // a marker without environment is covered by a reported deploy of its release in any environment
    assert.deepEqual(attributableDeploys([...deploys, deploy('d3', '1.2.0', at(-2), 'staging')], []).map((d) => d.id), ['d1', 'inferred:b', 'd2', 'd3']);
  });

  it('maps each release to its earliest deploy', () => {
    assert.deepEqual(deployTimesOf([deploy('a', '1', at(5)), deploy('b', '1', at(1)), deploy('c', '2', at(9))]), { '1': at(1), '2': at(9) });
  });
});

describe('findRegression', () => {
  const base = (over: Partial<ResolvedIssueActivity>): ResolvedIssueActivity => ({
    fingerprint: 'fp',
    clusterId: 'cl',
    status: 'resolved_in_release',
    resolvedInRelease: '2.0.0',
    changedAt: at(0),
    releases: [],
    ...over,
  });

  it('reopens on an event from the fix release or newer, and picks the newest release', () => {
    const found = findRegression(
      base({ releases: [{ release: '2.0.0', firstAt: at(1), events: 1 }, { release: '2.1.0', firstAt: at(2), events: 3 }, { release: '1.9.0', firstAt: at(1), events: 5 }] }),
      {},
    );
    assert.equal(found?.release, '2.1.0');
    assert.equal(found?.events, 3);
    assert.match(found?.reason ?? '', /newer than fix release 2.0.0/);
  });

  it('does not reopen on stragglers from older releases or events without a release', () => {
    assert.equal(findRegression(base({ releases: [{ release: '1.9.0', firstAt: at(1), events: 5 }, { release: '', firstAt: at(1), events: 1 }] }), {}), null);
  });

  it('plain resolved: any later event regresses unless its release predates the one live at resolve time', () => {
    const times = { '1.0.0': at(-60), '1.1.0': at(-30) };
    const resolved = { status: 'resolved' as const, resolvedInRelease: null };
    assert.equal(findRegression(base({ ...resolved, releases: [{ release: '1.0.0', firstAt: at(5), events: 1 }] }), times), null);
    assert.equal(findRegression(base({ ...resolved, releases: [{ release: '1.1.0', firstAt: at(5), events: 1 }] }), times)?.release, '1.1.0');
    assert.equal(findRegression(base({ ...resolved, releases: [{ release: '', firstAt: at(5), events: 1 }] }), times)?.release, null);
  });
});
