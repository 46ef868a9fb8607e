import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeToDeploy, compareReleases, isRegression, newInRelease, type IssueStatus } from './releases';

function assertOrdered(releases: string[], deployTimes?: Record<string, string>): void {
  for (let i = 0; i < releases.length; i++) {
    for (let j = 0; j < releases.length; j++) {
      const c = compareReleases(releases[i], releases[j], deployTimes);
      assert.equal(Math.sign(c), Math.sign(i - j), `${releases[i]} vs ${releases[j]}: ${c}`);
    }
  }
}

describe('compareReleases', () => {
  it('orders semver, prereleases included (the semver.org precedence example)', () => {
    assertOrdered(['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0']);
  });
  it('reads leading v, build metadata, two-part versions and package@version forms', () => {
    assert.equal(compareReleases('v1.2.3', '1.2.3'), 0);
    assert.equal(compareReleases('1.2.3+build.7', '1.2.3+build.9'), 0); // build metadata has no precedence
    assert.ok(compareReleases('1.2.3+zzz', '1.2.4+aaa') < 0);
    assert.ok(compareReleases('1.2', '1.2.1') < 0);
    assert.ok(compareReleases('web@1.9.0', 'web@1.10.0') < 0);
    assert.ok(compareReleases('@acme/web@2.0.0-rc.1', '@acme/web@2.0.0') < 0);
    assert.ok(compareReleases('web@1.2.3+42', 'web@v1.2.4') < 0);
    assert.ok(compareReleases('2024.01.15', '2024.2.1') < 0); // calendar versions, leading zeros tolerated
  });
  it('breaks a build-metadata tie by deploy time when both are known', () => {
    const times = { '1.2.3+b': '2024-01-01T00:00:00Z', '1.2.3+a': '2024-01-02T00:00:00Z' };
    assert.ok(compareReleases('1.2.3+b', '1.2.3+a', times) < 0);
  });
  it('orders non-semver releases by deploy time when known', () => {
    const times = { f00dcafe: '2024-03-01T10:00:00Z', '0badbeef': '2024-03-02T10:00:00Z', abc1234: '2024-03-03T10:00:00.000Z' };
    assertOrdered(['f00dcafe', '0badbeef', 'abc1234'], times);
    // Different packages do not compare as versions either.
    assert.ok(compareReleases('web@2.0.0', 'api@1.0.0', { 'web@2.0.0': '2024-01-01T00:00:00Z', 'api@1.0.0': '2024-02-01T00:00:00Z' }) < 0);
  });
  it('falls back to lexicographic order with numeric digit runs', () => {
    assertOrdered(['build-9', 'build-10', 'build-100']);
    assertOrdered(['alpha', 'beta', 'gamma']);
    assert.ok(compareReleases('abc', 'abd', { abc: '2024-01-01T00:00:00Z' }) < 0); // only one deploy time known
    assert.equal(compareReleases('x', 'x'), 0);
  });
  it('mixes semver with non-semver through deploy time, else lexicographically', () => {
    const times = { '2.0.0': '2024-01-01T00:00:00Z', nightly: '2024-02-01T00:00:00Z' };
    assert.ok(compareReleases('2.0.0', 'nightly', times) < 0);
    assert.ok(compareReleases('2.0.0', 'nightly') < 0);
  });
});

describe('isRegression', () => {
  const fixedIn: IssueStatus = { kind: 'resolved_in_release', release: '1.4.0', at: '2024-05-01T12:00:00Z' };

  it('reopens on a recurrence in a newer release than the fix', () => {
    const r = isRegression(fixedIn, { release: '1.5.0', timestamp: '2024-05-02T08:00:00Z' });
    assert.equal(r.regressed, true);
    assert.match(r.reason, /newer than fix release 1\.4\.0/);
  });
  it('reopens on a recurrence in the fix release itself', () => {
    assert.equal(isRegression(fixedIn, { release: 'v1.4.0', timestamp: '2024-05-02T08:00:00Z' }).regressed, true);
  });
  it('does not reopen for a straggler from an older release', () => {
    const r = isRegression(fixedIn, { release: '1.3.9', timestamp: '2024-05-03T08:00:00Z' });
    assert.equal(r.regressed, false);
    assert.match(r.reason, /straggler/);
    assert.equal(isRegression(fixedIn, { release: '1.4.0-rc.2', timestamp: '2024-05-03T08:00:00Z' }).regressed, false);
  });
  it('orders non-semver fix releases by deploy time', () => {
    const status: IssueStatus = { kind: 'resolved_in_release', release: 'b7e1f00', at: '2024-05-01T12:00:00Z' };
    const times = { a1c2d3e: '2024-04-28T09:00:00Z', b7e1f00: '2024-04-30T09:00:00Z', c9d8e7f: '2024-05-02T09:00:00Z' };
    assert.equal(isRegression(status, { release: 'c9d8e7f', timestamp: '2024-05-02T10:00:00Z' }, times).regressed, true);
    assert.equal(isRegression(status, { release: 'a1c2d3e', timestamp: '2024-05-02T10:00:00Z' }, times).regressed, false);
  });
  it('cannot place an event without a release against a fix release', () => {
    assert.equal(isRegression(fixedIn, { release: null, timestamp: '2024-05-02T08:00:00Z' }).regressed, false);
  });
  it('resolved without a release: reopens after the resolution time, not for older releases or late arrivals', () => {
    const resolved: IssueStatus = { kind: 'resolved', at: '2024-05-01T12:00:00Z' };
    const times = { '2.0.0': '2024-04-20T00:00:00Z', '2.1.0': '2024-04-30T00:00:00Z', '2.2.0': '2024-05-05T00:00:00Z' };
    assert.equal(isRegression(resolved, { release: '2.1.0', timestamp: '2024-05-01T13:00:00Z' }, times).regressed, true);
    assert.equal(isRegression(resolved, { release: '2.2.0', timestamp: '2024-05-06T13:00:00Z' }, times).regressed, true);
    assert.equal(isRegression(resolved, { release: null, timestamp: '2024-05-01T13:00:00Z' }, times).regressed, true);
    // 2.0.0 was already superseded by 2.1.0 when the issue was resolved: a straggler.
    assert.equal(isRegression(resolved, { release: '2.0.0', timestamp: '2024-05-02T13:00:00Z' }, times).regressed, false);
    // An event that happened before the resolution (ingested late) does not reopen.
    assert.equal(isRegression(resolved, { release: '2.1.0', timestamp: '2024-05-01T11:59:00Z' }, times).regressed, false);
    // Without deploy times, the newest release at resolve time is unknown: time alone decides.
    assert.equal(isRegression(resolved, { release: '2.0.0', timestamp: '2024-05-02T13:00:00Z' }).regressed, true);
    // Unless the caller recorded it.
    const withRelease: IssueStatus = { kind: 'resolved', at: '2024-05-01T12:00:00Z', releaseAtResolve: '2.1.0' };
    assert.equal(isRegression(withRelease, { release: '2.0.0', timestamp: '2024-05-02T13:00:00Z' }).regressed, false);
  });
  it('never reopens unresolved or ignored issues', () => {
    assert.equal(isRegression({ kind: 'unresolved' }, { release: '9.0.0', timestamp: '2024-05-02T08:00:00Z' }).regressed, false);
    assert.equal(isRegression({ kind: 'ignored' }, { release: '9.0.0', timestamp: '2024-05-02T08:00:00Z' }).regressed, false);
  });
});

describe('newInRelease', () => {
  const deploys = [
    { release: '1.0.0', environment: 'production', deployedAt: '2024-05-01T10:00:00Z' },
    { release: '1.1.0', environment: 'production', deployedAt: '2024-05-02T10:00:00Z' },
    { release: '1.2.0-rc.1', environment: 'staging', deployedAt: '2024-05-02T18:00:00Z' },
    { release: '1.2.0', environment: 'production', deployedAt: '2024-05-03T10:00:00Z' },
  ];
  it('is the latest deploy before first seen', () => {
    assert.equal(newInRelease('2024-05-02T19:00:00Z', deploys), '1.2.0-rc.1');
    assert.equal(newInRelease('2024-05-02T19:00:00Z', deploys, 'production'), '1.1.0');
    assert.equal(newInRelease('2024-05-03T10:00:00Z', deploys, 'production'), '1.2.0'); // deployed at that instant
  });
  it('is null before any deploy', () => {
    assert.equal(newInRelease('2024-04-30T00:00:00Z', deploys), null);
    assert.equal(newInRelease('2024-05-02T19:00:00Z', deploys, 'canary'), null);
  });
});

describe('attributeToDeploy', () => {
  const deploys = [
    { id: 'd1', release: '1.0.0', environment: 'production', deployedAt: '2024-05-01T09:00:00Z', commitSha: null },
    { id: 'd2', release: '1.1.0', environment: 'production', deployedAt: '2024-05-01T11:50:00Z', commitSha: 'abc1234' },
    { id: 'd3', release: '1.2.0', environment: 'production', deployedAt: '2024-05-01T12:30:00Z', commitSha: null },
  ];
  it('picks the latest deploy within the window before the onset', () => {
    assert.deepEqual(attributeToDeploy('2024-05-01T12:03:00.000Z', deploys, 30), { deployId: 'd2', release: '1.1.0', minutesAfter: 13 });
  });
  it('counts a deploy inside the onset minute', () => {
    assert.deepEqual(attributeToDeploy('2024-05-01T12:30:00Z', [{ ...deploys[2], deployedAt: '2024-05-01T12:30:40Z' }], 30), {
      deployId: 'd3',
      release: '1.2.0',
      minutesAfter: 0,
    });
  });
  it('returns null outside the window or before any deploy', () => {
    assert.equal(attributeToDeploy('2024-05-01T12:25:00Z', deploys, 30), null);
    assert.equal(attributeToDeploy('2024-05-01T08:00:00Z', deploys, 30), null);
  });
});
