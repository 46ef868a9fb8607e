import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeToDeploy } from './releases';
import { DEFAULT_SPIKE_OPTIONS, detectSpike, learnBaseline, type Bucket } from './spike';
import { daily, gamma, mulberry32, poisson, replay, stream, T0, withSpike, type ReplayAlert } from './synthetic';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Alert episodes: flagged minutes more than `cooldownMin` after the previous episode's start. */
function episodes(alerts: ReplayAlert[], cooldownMin = 60): ReplayAlert[] {
  const out: ReplayAlert[] = [];
  for (const a of alerts) if (out.length === 0 || a.atMs - out[out.length - 1].atMs >= cooldownMin * MINUTE) out.push(a);
  return out;
}

describe('learnBaseline', () => {
  it('learns a flat rate from a week of history', () => {
    const history = stream(mulberry32(1), T0, 7 * 1440 + 10 * 60, () => 4);
    const b = learnBaseline(history, iso(T0 + 7 * DAY + 10 * HOUR));
    assert.equal(b.method, 'seasonal');
    assert.ok(b.samples >= 6, `samples ${b.samples}`);
    assert.ok(Math.abs(b.expected - 4) < 0.4, `expected ${b.expected}`);
    assert.ok(b.dispersion < 0.05, `Poisson counts read as dispersion ${b.dispersion}`);
  });

  it('follows the time of day: the 15:00 peak expects ~10× the 03:00 trough', () => {
    const history = stream(mulberry32(2), T0, 9 * 1440, daily(1, 10));
    const upTo = (ms: number): Bucket[] => history.filter((b) => Date.parse(b.start) < ms);
    const trough = learnBaseline(upTo(T0 + 8 * DAY + 3 * HOUR), iso(T0 + 8 * DAY + 3 * HOUR));
    const peak = learnBaseline(upTo(T0 + 8 * DAY + 15 * HOUR), iso(T0 + 8 * DAY + 15 * HOUR));
    assert.equal(peak.method, 'seasonal');
    assert.ok(Math.abs(peak.expected - 10) < 1.5, `peak ${peak.expected}`);
    assert.ok(Math.abs(trough.expected - 1) < 0.4, `trough ${trough.expected}`);
  });

  it('uses the day of week once two weeks are covered', () => {
    // Weekends (Saturday, Sunday) at 4× the weekday rate. T0 is a Monday, so T0 + 19 days is a Saturday.
    const rate = (ms: number): number => (Math.floor((ms - T0) / DAY) % 7 >= 5 ? 8 : 2);
    const history = stream(mulberry32(3), T0, 19 * 1440 + 12 * 60, rate);
    const b = learnBaseline(history, iso(T0 + 19 * DAY + 12 * HOUR));
    assert.equal(b.method, 'seasonal');
    assert.ok(Math.abs(b.expected - 8) < 1.2, `two weeks: ${b.expected}`);
  });

  it('follows a level shift through the recent hour', () => {
    // A week at 2/min, then the last 3 hours at 4/min (traffic doubled): the expectation moves up.
    const history = stream(mulberry32(4), T0, 7 * 1440, (ms) => (ms >= T0 + 7 * DAY - 3 * HOUR ? 4 : 2));
    const b = learnBaseline(history, iso(T0 + 7 * DAY));
    assert.ok(b.expected > 3.2 && b.expected < 4.5, `expected ${b.expected}`);
  });

  it('estimates over-dispersion', () => {
    const rand = mulberry32(5);
    const history: Bucket[] = [];
    for (let i = 0; i < 7 * 1440; i++) {
      const count = poisson(rand, (5 * gamma(rand, 2)) / 2); // gamma–Poisson minutes, α = 0.5
      if (count > 0) history.push({ start: iso(T0 + i * MINUTE), count });
    }
    const b = learnBaseline(history, iso(T0 + 7 * DAY));
    assert.ok(b.dispersion > 0.3 && b.dispersion < 0.7, `dispersion ${b.dispersion}`);
  });

  it('has a cold start and a recent-level mode for young streams', () => {
    assert.deepEqual(learnBaseline([], iso(T0)), { expected: 1, dispersion: 1, method: 'cold_start', samples: 0 });
    const young = stream(mulberry32(6), T0, 20, () => 3);
    const cold = learnBaseline(young, iso(T0 + 20 * MINUTE));
    assert.equal(cold.method, 'cold_start');
    assert.ok(cold.expected >= 1);
    const halfDay = stream(mulberry32(7), T0, 720, () => 3);
    const recent = learnBaseline(halfDay, iso(T0 + 720 * MINUTE));
    assert.equal(recent.method, 'recent');
    assert.ok(Math.abs(recent.expected - 3) < 0.8, `expected ${recent.expected}`);
  });

  it('floors the expectation of a silent stream', () => {
    const history = [{ start: iso(T0), count: 1 }];
    const b = learnBaseline(history, iso(T0 + 7 * DAY));
    assert.equal(b.method, 'seasonal');
    assert.ok(b.expected >= 0.05);
  });

  it('reads any ISO-8601 form of the bucket starts alike', () => {
    const history = stream(mulberry32(8), T0, 3 * 1440, daily(1, 6));
    const short = history.map((b) => ({ start: b.start.replace(':00.000Z', 'Z'), count: b.count })); // 2024-01-01T10:07Z
    const offset = history.map((b) => ({ start: b.start.replace('.000Z', '+00:00'), count: b.count }));
    const at = iso(T0 + 3 * DAY + 13 * HOUR);
    assert.deepEqual(learnBaseline(short, at), learnBaseline(history, at));
    assert.deepEqual(learnBaseline(offset, at), learnBaseline(history, at));
  });

  it('ignores history at or after the evaluated time and beyond historyDays', () => {
    const history = stream(mulberry32(9), T0, 10 * 1440, () => 2);
    const at = T0 + 8 * DAY;
    const cut = history.filter((b) => Date.parse(b.start) < at);
    assert.deepEqual(learnBaseline(history, iso(at)), learnBaseline(cut, iso(at)));
    const spiked = history.map((b) => (Date.parse(b.start) < T0 + DAY ? { ...b, count: 1000 } : b));
    assert.deepEqual(learnBaseline(spiked, iso(at), { historyDays: 5 }), learnBaseline(history, iso(at), { historyDays: 5 }));
  });
});

describe('detectSpike', () => {
  it('alerts within 2 buckets of a spike right after a deploy, and attributes it to the deploy', () => {
    const deployAt = T0 + 7 * DAY + 14 * HOUR;
    const onset = deployAt + 3 * MINUTE;
    const buckets = stream(mulberry32(11), T0, 7 * 1440 + 16 * 60, withSpike(() => 2, onset, 20, 10));
    const alerts = replay(buckets, T0 + 7 * DAY + 12 * HOUR, T0 + 7 * DAY + 16 * HOUR);
    assert.ok(alerts.length > 0, 'no alert');
    const first = alerts[0];
    assert.ok(first.atMs >= onset && first.atMs <= onset + 1 * MINUTE, `first alert ${(first.atMs - onset) / MINUTE} buckets after onset`);
    assert.ok(first.decision.pValue <= DEFAULT_SPIKE_OPTIONS.alpha);
    assert.ok(first.decision.observed >= first.decision.expected * DEFAULT_SPIKE_OPTIONS.minRatio);
    assert.match(first.decision.reason, /^spike: .*seasonal baseline/);
    assert.ok(alerts.every((a) => a.atMs >= onset && a.atMs < onset + 22 * MINUTE), 'alert outside the spike');
    const deploys = [
      { id: 'old', release: '3.1.0', environment: 'production', deployedAt: iso(deployAt - 5 * HOUR), commitSha: null },
      { id: 'cause', release: '3.2.0', environment: 'production', deployedAt: iso(deployAt), commitSha: 'deadbeef' },
      { id: 'later', release: '3.2.1', environment: 'production', deployedAt: iso(deployAt + HOUR), commitSha: null },
    ];
    const attribution = attributeToDeploy(first.decision.onset ?? '', deploys, 30 /* minutes, DETECTOR_DEPLOY_WINDOW_MINUTES' default */);
    assert.equal(attribution?.deployId, 'cause');
    assert.equal(attribution?.release, '3.2.0');
    assert.ok(attribution !== null && attribution.minutesAfter >= 2 && attribution.minutesAfter <= 4);
  });

  it('does not alert at the peaks of a daily cycle (10× between trough and peak)', () => {
    for (const [seed, low, high] of [
      [21, 0.3, 3],
      [22, 3, 30],
    ]) {
      const buckets = stream(mulberry32(seed), T0, 10 * 1440, daily(low, high));
      const alerts = replay(buckets, T0 + 7 * DAY, T0 + 10 * DAY);
      assert.deepEqual(alerts.map((a) => `${iso(a.atMs)} ${a.decision.reason}`), [], `${low}→${high}/min`);
    }
  });

  it('does not alert when the weekend traffic jumps in, once two weeks are known', () => {
    // Weekday 3/min, weekend 12/min: a 4× step at Saturday 00:00 (T0 is a Monday; T0 + 19 days a Saturday).
    const rate = (ms: number): number => (Math.floor((ms - T0) / DAY) % 7 >= 5 ? 12 : 3);
    const saturday = T0 + 19 * DAY;
    const buckets = stream(mulberry32(12), T0, 19 * 1440 + 180, rate);
    assert.deepEqual(replay(buckets, saturday - HOUR, saturday + 2 * HOUR).map((a) => a.decision.reason), []);
    // With a week of history the daily median is the weekday level; only the recent-hour ratio lifts it.
    const at = saturday + 20 * MINUTE;
    const upTo = buckets.filter((b) => Date.parse(b.start) < at);
    const twoWeeks = learnBaseline(upTo, iso(at));
    const oneWeek = learnBaseline(upTo, iso(at), { historyDays: 7 });
    assert.ok(twoWeeks.expected > 9, `two weeks: ${twoWeeks.expected}`);
    assert.ok(oneWeek.expected < 7, `one week: ${oneWeek.expected}`);
  });

  it('alerts on a short 3-minute burst', () => {
    for (const [seed, base] of [
      [31, 0.2],
      [32, 1],
      [33, 5],
    ]) {
      const onset = T0 + 7 * DAY + 9 * HOUR + 17 * MINUTE;
      const buckets = stream(mulberry32(seed), T0, 7 * 1440 + 10 * 60, withSpike(() => base, onset, 3, Math.max(6, 5 * base)));
      const alerts = replay(buckets, T0 + 7 * DAY + 8 * HOUR, T0 + 7 * DAY + 10 * HOUR);
      assert.ok(alerts.length > 0, `base ${base}: no alert`);
      assert.ok(alerts[0].atMs >= onset && alerts[0].atMs <= onset + 2 * MINUTE, `base ${base}: first alert at ${iso(alerts[0].atMs)}`);
    }
  });

  it('catches a burst split across two buckets through the two-bucket sum', () => {
    const history = stream(mulberry32(41), T0, 7 * 1440, () => 0.05);
    const now = T0 + 7 * DAY + 2 * MINUTE;
    const recent = [
      { start: iso(now - 2 * MINUTE), count: 0 },
      { start: iso(now - MINUTE), count: 3 },
      { start: iso(now), count: 3 },
    ];
    const d = detectSpike(history, recent);
    assert.equal(d.isSpike, true, d.reason);
    assert.equal(d.observed, 6);
    assert.equal(d.onset, iso(now - MINUTE));
    // Each half alone is under minCount.
    assert.equal(detectSpike(history, recent.slice(2)).isSpike, false);
    assert.equal(detectSpike(history, recent.slice(0, 2)).isSpike, false);
  });

  it('applies the minimum-count and ratio guards on top of significance', () => {
    const busy = stream(mulberry32(42), T0, 7 * 1440, () => 100);
    const now = T0 + 7 * DAY;
    const doubled = detectSpike(busy, [{ start: iso(now), count: 200 }]);
    assert.equal(doubled.isSpike, false);
    assert.ok(doubled.pValue < 1e-10, 'significant but under the ratio');
    assert.match(doubled.reason, /ratio 1\.9\d < 2\.5/);
    assert.equal(detectSpike(busy, [{ start: iso(now), count: 300 }]).isSpike, true);

    const quiet = stream(mulberry32(43), T0, 7 * 1440, () => 0.01);
    const four = detectSpike(quiet, [{ start: iso(now), count: 4 }]);
    assert.equal(four.isSpike, false);
    assert.match(four.reason, /< minCount 5/);
    assert.equal(detectSpike(quiet, [{ start: iso(now), count: 4 }], { minCount: 3 }).isSpike, true);
  });

  it('needs a large burst to call a spike on a brand-new cluster', () => {
    const young = stream(mulberry32(44), T0, 15, () => 1);
    const now = T0 + 15 * MINUTE;
    assert.equal(detectSpike(young, [{ start: iso(now), count: 8 }]).isSpike, false);
    const big = detectSpike(young, [{ start: iso(now), count: 25 }]);
    assert.equal(big.isSpike, true, big.reason);
    assert.match(big.reason, /cold_start/);
  });

  it('keeps false alerts on incident-free streams low', () => {
    // Days of Poisson noise at low and high rates, flat and with a daily cycle; one alert per hour at most.
    let alerts = 0;
    let days = 0;
    let seed = 100;
    for (const base of [0.05, 0.5, 2, 10, 50]) {
      for (const shape of ['flat', 'daily'] as const) {
        const rate = shape === 'flat' ? () => base : daily(base / 4, base * 2.5);
        const buckets = stream(mulberry32(seed++), T0, 9 * 1440, rate);
        alerts += episodes(replay(buckets, T0 + 7 * DAY, T0 + 9 * DAY)).length;
        days += 2;
      }
    }
    const perDay = alerts / days;
    assert.ok(perDay <= 0.1, `${alerts} false alerts over ${days} stream-days`);
  });

  it('accepts recent buckets in any order and validates its input', () => {
    const history = stream(mulberry32(45), T0, 7 * 1440, () => 1);
    const now = T0 + 7 * DAY + MINUTE;
    const ordered = [
      { start: iso(now - MINUTE), count: 1 },
      { start: iso(now), count: 30 },
    ];
    assert.deepEqual(detectSpike(history, [ordered[1], ordered[0]]), detectSpike(history, ordered));
    assert.throws(() => detectSpike(history, []), RangeError);
    assert.throws(() => detectSpike(history, [{ start: 'yesterday', count: 1 }]), RangeError);
    assert.throws(() => detectSpike(history, [{ start: iso(now), count: -1 }]), RangeError);
    assert.throws(() => detectSpike(history, ordered, { alpha: 0 }), RangeError);
    assert.throws(() => detectSpike(history, ordered, { bucketMinutes: 1.5 }), RangeError);
  });

  it('works with wider buckets', () => {
    const rand = mulberry32(46);
    const history: Bucket[] = [];
    for (let ms = T0; ms < T0 + 7 * DAY; ms += 5 * MINUTE) history.push({ start: iso(ms), count: poisson(rand, 10) });
    const now = T0 + 7 * DAY + 5 * MINUTE;
    const recent = (count: number): Bucket[] => [
      { start: iso(now - 5 * MINUTE), count: 10 },
      { start: iso(now), count },
    ];
    const b = learnBaseline(history, iso(now), { bucketMinutes: 5 });
    assert.ok(Math.abs(b.expected - 10) < 1.5, `expected ${b.expected}`);
    assert.equal(detectSpike(history, recent(14), { bucketMinutes: 5 }).isSpike, false);
    assert.equal(detectSpike(history, recent(45), { bucketMinutes: 5 }).isSpike, true);
  });
});
