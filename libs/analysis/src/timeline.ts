/** One per-minute bucket of a cluster's event counts. */
export interface TimelinePoint {
  /** Start of the minute, ISO-8601. */
  at: string;
  count: number;
}

/**
 * How the error rate moved after onset:
 * `step` a sustained jump (typical of a deploy), `gradual` a steady rise (leaks, slow exhaustion),
 * `periodic` repeated bursts (cron jobs, cache expiry), `burst` one episode that ended,
 * `sparse` a trickle with no clear onset, `flat` nothing above baseline.
 */
export const TIMELINE_SHAPES = ['step', 'gradual', 'periodic', 'burst', 'sparse', 'flat'] as const;
export type TimelineShape = (typeof TIMELINE_SHAPES)[number];

export interface TimelineAnalysis {
  onset: string | null;
  shape: TimelineShape;
  baselinePerMin: number;
  /** Mean rate from onset to the end. */
  levelPerMin: number;
  peakPerMin: number;
  /** Mean rate over the last 15 minutes: the "current" rate. */
  recentPerMin: number;
  /** Mean of the last quarter after onset over the first quarter. */
  growth: number;
  bursts: number;
}

const MINUTE = 60_000;
const MAX_POINTS = 20_000;

/** Per-minute counts with the missing minutes filled with zeros, oldest first. */
export function densify(points: TimelinePoint[]): Array<{ t: number; count: number }> {
  const sorted = points.map((p) => ({ t: Math.floor(Date.parse(p.at) / MINUTE) * MINUTE, count: p.count })).filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  if (!sorted.length) return [];
  const first = sorted[0].t;
  const last = sorted[sorted.length - 1].t;
  const length = Math.min(MAX_POINTS, Math.round((last - first) / MINUTE) + 1);
  const dense = Array.from({ length }, (_, i) => ({ t: first + i * MINUTE, count: 0 }));
  for (const p of sorted) {
    const index = Math.round((p.t - first) / MINUTE);
    if (index < length) dense[index].count += p.count;
  }
  return dense;
}

export function analyzeTimeline(points: TimelinePoint[]): TimelineAnalysis {
  const dense = densify(points);
  const counts = dense.map((p) => p.count);
  const empty: TimelineAnalysis = { onset: null, shape: 'flat', baselinePerMin: 0, levelPerMin: 0, peakPerMin: 0, recentPerMin: 0, growth: 1, bursts: 0 };
  if (!counts.length) return empty;
  const head = counts.slice(0, Math.max(10, Math.floor(counts.length * 0.15)));
  const baseline = median(head);
  const threshold = baseline + 3 * Math.max(1, Math.sqrt(baseline)) + 1;
  const recent = mean(counts.slice(-15));
  const peak = Math.max(...counts);

  let onsetIndex = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] < threshold) continue;
    const next = counts.slice(i + 1, i + 6);
    // One noisy minute is not an onset: the rate must stay up, or the series must end here.
    if (next.length === 0 || next.filter((c) => c >= threshold / 2).length >= Math.min(2, next.length)) {
      onsetIndex = i;
      break;
    }
  }
  if (onsetIndex < 0) {
    const firstNonZero = counts.findIndex((c) => c > 0);
    if (baseline === 0 && firstNonZero >= 0) {
      return { ...empty, onset: new Date(dense[firstNonZero].t).toISOString(), shape: 'sparse', levelPerMin: mean(counts.slice(firstNonZero)), peakPerMin: peak, recentPerMin: recent };
    }
    return { ...empty, baselinePerMin: baseline, levelPerMin: baseline, peakPerMin: peak, recentPerMin: recent };
  }
  // A leak climbs from zero before it crosses the threshold: walk back to where the climb began.
  while (onsetIndex > 0 && counts[onsetIndex - 1] > baseline && counts.slice(Math.max(0, onsetIndex - 4), onsetIndex).every((c) => c > baseline)) onsetIndex--;

  const post = counts.slice(onsetIndex);
  const quarter = Math.max(1, Math.floor(post.length / 4));
  const q = [0, 1, 2, 3].map((k) => mean(post.slice(k * quarter, k === 3 ? post.length : (k + 1) * quarter)));
  const growth = (q[3] + 0.5) / (q[0] + 0.5);

  // Bursts: runs of minutes above threshold separated by quiet gaps of at least 5 minutes.
  const runs: Array<{ start: number; end: number }> = [];
  let quiet = Infinity;
  for (let i = 0; i < post.length; i++) {
    if (post[i] >= threshold) {
      if (runs.length && quiet < 5) runs[runs.length - 1].end = i;
      else runs.push({ start: i, end: i });
      quiet = 0;
    } else if (post[i] < threshold / 2) quiet++;
    else if (runs.length) runs[runs.length - 1].end = i;
  }
  const activeShare = runs.reduce((sum, r) => sum + (r.end - r.start + 1), 0) / post.length;

  let shape: TimelineShape;
  const monotone = q[1] >= q[0] * 0.85 && q[2] >= q[1] * 0.85 && q[3] >= q[2] * 0.85;
  if (post.length >= 20 && growth >= 2 && monotone) shape = 'gradual';
  else if (runs.length >= 3 && activeShare < 0.6) shape = 'periodic';
  else if (post.length >= 10 && mean(post.slice(-Math.max(5, Math.floor(post.length / 5)))) < threshold / 2 && runs.length <= 2) shape = 'burst';
  else shape = 'step';

  return {
    onset: new Date(dense[onsetIndex].t).toISOString(),
    shape,
    baselinePerMin: baseline,
    levelPerMin: mean(post),
    peakPerMin: peak,
    recentPerMin: recent,
    growth,
    bursts: runs.length,
  };
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
