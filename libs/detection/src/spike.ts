// Spike detection over per-minute counts. Pure: history comes in, a decision goes out, so the detector
// service can restart at any time with nothing held in memory.
//
// Model, per evaluated bucket:
//  - expected rate: the same time of day on each covered past day (a 60-minute window, robust median over
//    days; with ≥ 2 weeks, the median of the two same-weekday samples and that daily median), scaled by how
//    the last hour compares with the same hour on those days (the "recent level", shrunk toward 1 at low
//    counts and clamped), floored so that a near-silent stream still needs real volume to alert;
//  - dispersion: negative binomial Var = μ + α·μ², α from the over-dispersion of minute counts inside those
//    windows plus the sampling uncertainty of the estimate itself (gamma posterior ⇒ α ≈ 1/events);
//  - test: upper tail P(X ≥ observed) over the current bucket and over the last two buckets (a burst split
//    at a minute boundary), Bonferroni-adjusted, on top of minimum-count and ratio guards.

import { logNegBinomialUpperTail } from './stats';
import { DAY_MS, MINUTE_MS, toIso, toMs } from './time';

export interface Bucket {
  /** Start of the bucket, ISO-8601 with a zone (e.g. `2024-05-01T12:34:00.000Z`). */
  start: string;
  count: number;
}

export interface SpikeOptions {
  /** Width of a bucket in minutes, a divisor of 60. History and recent buckets must have this width. */
  bucketMinutes: number;
  /** Fewest events in the tested window (one or two buckets) that can ever alert. */
  minCount: number;
  /** Significance level of the upper-tail test, after the Bonferroni adjustment for the windows tested. */
  alpha: number;
  /** Observed must be at least this multiple of expected: a tiny but "significant" excess is not an incident. */
  minRatio: number;
  /** How many past days the baseline samples (the same time of day on each); 14 enables the day-of-week estimate. */
  historyDays: number;
}

export const DEFAULT_SPIKE_OPTIONS: SpikeOptions = Object.freeze({
  bucketMinutes: 1,
  minCount: 5,
  alpha: 1e-5,
  minRatio: 2.5,
  historyDays: 14,
});

export interface Baseline {
  /** Expected events in one bucket at the evaluated time. */
  expected: number;
  /** Negative binomial α (Var = μ + α·μ²); 0 is Poisson. */
  dispersion: number;
  method: 'seasonal' | 'recent' | 'cold_start';
  /** Seasonal: past days used; recent: buckets in the recent window; cold start: buckets of history covered. */
  samples: number;
}

export interface SpikeDecision {
  isSpike: boolean;
  /** Start of the first elevated bucket of the spike; null when there is no spike. */
  onset: string | null;
  /** Bonferroni-adjusted upper-tail p-value of the most significant window tested. */
  pValue: number;
  /** Expected events in that window. */
  expected: number;
  /** Observed events in that window. */
  observed: number;
  reason: string;
}

// Shape of the estimator, not alerting policy: fixed here rather than options.
const SEASONAL_WINDOW_MIN = 60; // the same time of day on a past day: ±30 minutes
const RECENT_WINDOW_MIN = 60; // the recent level: the hour before the evaluated buckets
const COLD_START_MIN = 60; // less covered history than this is a cold start
const MIN_SEASONAL_DAYS = 2;
const LEVEL_PRIOR_EVENTS = 10; // pseudo-events that pull the recent-level ratio toward 1 at low counts
const LEVEL_RATIO_MIN = 1 / 3;
const LEVEL_RATIO_MAX = 3;
const EXPECTED_FLOOR_PER_MIN = 0.05; // one event per 20 minutes: an empty history is not "expect zero"
const COLD_START_FLOOR_PER_MIN = 1;
const COLD_START_DISPERSION = 1; // geometric tails: a young cluster needs a large burst to count as a spike
const MIN_EVENTS_FOR_DISPERSION = 20; // fewer events than this give a meaningless moment estimate
const MAX_DISPERSION = 4;
const MEDIAN_EFFICIENCY = 2 / Math.PI; // variance of a median ≈ π/2 × that of a mean

function resolveOptions(options: Partial<SpikeOptions> | undefined): SpikeOptions {
  const o: SpikeOptions = { ...DEFAULT_SPIKE_OPTIONS, ...options };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`invalid spike option: ${what}`);
  };
  check(Number.isInteger(o.bucketMinutes) && o.bucketMinutes > 0 && 60 % o.bucketMinutes === 0, `bucketMinutes=${o.bucketMinutes} (a divisor of 60)`);
  check(o.minCount >= 1, `minCount=${o.minCount}`);
  check(o.alpha > 0 && o.alpha < 1, `alpha=${o.alpha}`);
  check(o.minRatio >= 1, `minRatio=${o.minRatio}`);
  check(o.historyDays > 0 && o.historyDays <= 90, `historyDays=${o.historyDays}`);
  return o;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, what toISOString writes: such strings order like the instants they name. */
function isCanonicalIso(s: string): boolean {
  return s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(19) === 46 && s.charCodeAt(10) === 84;
}

/**
 * First index in [lo, hi) whose bucket starts at or after `ms`. History is ascending by start.
 * Canonical bucket starts are compared as strings: parsing dominated the per-minute loop otherwise.
 */
function lowerBound(history: Bucket[], ms: number, lo: number, hi: number): number {
  const iso = toIso(ms);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = history[mid].start;
    if (isCanonicalIso(start) ? start < iso : toMs(start) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface WindowSum {
  sum: number;
  sumSq: number;
}

/** Pools the within-window variance of bucket counts to estimate over-dispersion (method of moments). */
class DispersionPool {
  private events = 0;
  private buckets = 0;
  private withinSquares = 0;
  private degrees = 0;

  add(window: WindowSum, buckets: number): void {
    if (buckets < 2) return;
    this.events += window.sum;
    this.buckets += buckets;
    this.withinSquares += window.sumSq - (window.sum * window.sum) / buckets;
    this.degrees += buckets - 1;
  }

  alpha(): number {
    if (this.events < MIN_EVENTS_FOR_DISPERSION) return 0;
    const mean = this.events / this.buckets;
    const variance = this.withinSquares / this.degrees;
    // Only the excess beyond two standard errors of a Poisson sample variance ((μ + 2μ²)/n) counts: at low
    // rates a single double-count minute would otherwise read as heavy over-dispersion.
    const noise = 2 * Math.sqrt((mean + 2 * mean * mean) / this.degrees);
    return Math.min(MAX_DISPERSION, Math.max(0, (variance - mean - noise) / (mean * mean)));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * The baseline for the bucket starting at `targetMs`, learnt from history buckets that start before `endMs`
 * (detectSpike keeps the buckets it is testing out of their own baseline).
 */
function learn(history: Bucket[], targetMs: number, endMs: number, o: SpikeOptions): Baseline {
  // Reach back far enough that the windows of the oldest day (historyDays ago) are whole.
  const horizonMs = Math.min(targetMs - (SEASONAL_WINDOW_MIN / 2) * MINUTE_MS, endMs - RECENT_WINDOW_MIN * MINUTE_MS) - o.historyDays * DAY_MS;
  const end = lowerBound(history, endMs, 0, history.length);
  const first = lowerBound(history, horizonMs, 0, end);
  const range = (fromMs: number, toMsExclusive: number): WindowSum => {
    const lo = lowerBound(history, fromMs, first, end);
    const hi = lowerBound(history, toMsExclusive, lo, end);
    let sum = 0;
    let sumSq = 0;
    for (let i = lo; i < hi; i++) {
      const c = history[i].count;
      sum += c;
      sumSq += c * c;
    }
    return { sum, sumSq };
  };
  const perBucket = (ratePerMin: number): number => ratePerMin * o.bucketMinutes;

  // Nothing is known before the first bucket we were given: that is where coverage starts.
  const coverageStartMs = first < end ? Math.max(horizonMs, toMs(history[first].start)) : endMs;
  const coverageMin = (endMs - coverageStartMs) / MINUTE_MS;
  if (coverageMin < COLD_START_MIN) {
    const seen = range(coverageStartMs, endMs).sum;
    const rate = coverageMin > 0 ? seen / Math.max(coverageMin, o.bucketMinutes) : 0;
    return {
      expected: perBucket(Math.max(rate, COLD_START_FLOOR_PER_MIN)),
      dispersion: COLD_START_DISPERSION,
      method: 'cold_start',
      samples: Math.round(coverageMin / o.bucketMinutes),
    };
  }

  const recentFromMs = endMs - RECENT_WINDOW_MIN * MINUTE_MS;
  const recentBuckets = RECENT_WINDOW_MIN / o.bucketMinutes;
  const recent = range(recentFromMs, endMs);
  const pool = new DispersionPool();
  pool.add(recent, recentBuckets);

  // The same time of day on each past day that history fully covers.
  const halfWindowMs = (SEASONAL_WINDOW_MIN / 2) * MINUTE_MS;
  const days: Array<{ day: number; center: number; recent: number }> = [];
  for (let day = 1; day <= o.historyDays; day++) {
    const shift = day * DAY_MS;
    const centerFrom = targetMs - shift - halfWindowMs;
    const recentFrom = recentFromMs - shift;
    if (Math.min(centerFrom, recentFrom) < coverageStartMs) break;
    const center = range(centerFrom, centerFrom + 2 * halfWindowMs);
    pool.add(center, SEASONAL_WINDOW_MIN / o.bucketMinutes);
    days.push({ day, center: center.sum, recent: range(recentFrom, recentFrom + RECENT_WINDOW_MIN * MINUTE_MS).sum });
  }

  if (days.length < MIN_SEASONAL_DAYS) {
    return {
      expected: perBucket(Math.max(recent.sum / RECENT_WINDOW_MIN, EXPECTED_FLOOR_PER_MIN)),
      dispersion: Math.min(MAX_DISPERSION, pool.alpha() + 1 / (recent.sum + 1)),
      method: 'recent',
      samples: recentBuckets,
    };
  }

  let center = median(days.map((d) => d.center));
  let centerRecent = median(days.map((d) => d.recent));
  let informativeEvents = days.reduce((s, d) => s + d.center, 0) * MEDIAN_EFFICIENCY;
  const weekAgo = days.find((d) => d.day === 7);
  const twoWeeksAgo = days.find((d) => d.day === 14);
  if (weekAgo && twoWeeksAgo) {
    // Day of week: the two same-weekday samples decide unless they disagree, then the daily median arbitrates.
    center = median([weekAgo.center, twoWeeksAgo.center, center]);
    centerRecent = median([weekAgo.recent, twoWeeksAgo.recent, centerRecent]);
    informativeEvents = weekAgo.center + twoWeeksAgo.center;
  }
  // Traffic this hour versus the same hour on the past days: follows growth or a quiet day without
  // chasing a burst, and counts little when there are few events.
  const level = clamp((recent.sum + LEVEL_PRIOR_EVENTS) / (centerRecent + LEVEL_PRIOR_EVENTS), LEVEL_RATIO_MIN, LEVEL_RATIO_MAX);
  const ratePerMin = (center / SEASONAL_WINDOW_MIN) * level;
  return {
    expected: perBucket(Math.max(ratePerMin, EXPECTED_FLOOR_PER_MIN)),
    dispersion: Math.min(MAX_DISPERSION, pool.alpha() + 1 / (informativeEvents + 1) + 1 / (recent.sum + LEVEL_PRIOR_EVENTS)),
    method: 'seasonal',
    samples: days.length,
  };
}

/**
 * The expected count and dispersion for the bucket starting at `at`, from the history buckets before it.
 * `history`: buckets ascending by start, zero-count buckets may be omitted, one bucket per interval
 * (duplicates are summed for the level but blur the dispersion estimate). Coverage starts at the first bucket.
 */
export function learnBaseline(history: Bucket[], at: string, options?: Partial<SpikeOptions>): Baseline {
  const atMs = toMs(at);
  return learn(history, atMs, atMs, resolveOptions(options));
}

function fmt(x: number): string {
  return x === 0 || (Math.abs(x) >= 0.01 && Math.abs(x) < 1e6) ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

interface WindowTest {
  buckets: number;
  observed: number;
  expected: number;
  pValue: number;
  failed: string | null;
}

/**
 * Whether the current bucket (the last of `recent`) is a spike.
 * `recent`: the last few buckets including the current one, ascending; buckets before it that are present
 * in `history` are ignored there, so the tested buckets never inflate their own baseline. When `recent`
 * reaches back one bucket, the sum of the last two buckets is tested too (a burst split across a boundary).
 */
export function detectSpike(history: Bucket[], recent: Bucket[], options?: Partial<SpikeOptions>): SpikeDecision {
  const o = resolveOptions(options);
  if (recent.length === 0) throw new RangeError('detectSpike: recent must hold at least the current bucket');
  const points = recent
    .map((b) => {
      if (!(b.count >= 0) || !Number.isFinite(b.count)) throw new RangeError(`bucket ${b.start} has count ${b.count}`);
      return { start: b.start, ms: toMs(b.start), count: b.count };
    })
    .sort((a, b) => a.ms - b.ms);
  const bucketMs = o.bucketMinutes * MINUTE_MS;
  const atMs = points[points.length - 1].ms;
  const baseline = learn(history, atMs, points[0].ms, o);

  const windowSizes = points[0].ms <= atMs - bucketMs ? [1, 2] : [1];
  const tests: WindowTest[] = windowSizes.map((buckets) => {
    const observed = points.reduce((s, p) => (p.ms > atMs - buckets * bucketMs ? s + p.count : s), 0);
    const expected = baseline.expected * buckets;
    const pValue = Math.min(1, Math.exp(logNegBinomialUpperTail(observed, expected, baseline.dispersion)) * windowSizes.length);
    let failed: string | null = null;
    if (observed < o.minCount) failed = `${observed} events < minCount ${o.minCount}`;
    else if (observed < o.minRatio * expected) failed = `ratio ${fmt(observed / expected)} < ${o.minRatio}`;
    else if (pValue > o.alpha) failed = `p=${fmt(pValue)} > alpha ${o.alpha}`;
    return { buckets, observed, expected, pValue, failed };
  });

  const byP = (a: WindowTest, b: WindowTest): number => a.pValue - b.pValue || b.observed - a.observed;
  const passing = tests.filter((t) => t.failed === null).sort(byP);
  const model = `${baseline.method} baseline, NB α=${fmt(baseline.dispersion)}`;
  if (passing.length === 0) {
    const closest = [...tests].sort(byP)[0];
    return {
      isSpike: false,
      onset: null,
      pValue: closest.pValue,
      expected: closest.expected,
      observed: closest.observed,
      reason: `no spike: ${closest.observed} in ${closest.buckets} bucket(s) vs ${fmt(closest.expected)} expected (${model}); ${closest.failed}`,
    };
  }

  const best = passing[0];
  // Onset: the earliest elevated bucket of the window, extended back over contiguous elevated buckets.
  const elevated = (count: number): boolean => count >= 1 && count >= o.minRatio * baseline.expected;
  let onsetIndex = points.length - 1;
  for (let i = 0; i < points.length; i++) {
    if (points[i].ms > atMs - best.buckets * bucketMs && elevated(points[i].count)) {
      onsetIndex = i;
      break;
    }
  }
  while (onsetIndex > 0 && points[onsetIndex].ms - points[onsetIndex - 1].ms === bucketMs && elevated(points[onsetIndex - 1].count)) {
    onsetIndex--;
  }
  return {
    isSpike: true,
    onset: points[onsetIndex].start,
    pValue: best.pValue,
    expected: best.expected,
    observed: best.observed,
    reason:
      `spike: ${best.observed} in ${best.buckets} bucket(s) vs ${fmt(best.expected)} expected (${model}); ` +
      `ratio ${fmt(best.observed / best.expected)}, p=${fmt(best.pValue)} ≤ ${o.alpha}`,
  };
}
