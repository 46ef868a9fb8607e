// Test-only helpers (not exported from the library): seeded randomness, synthetic count streams and a
// replay loop that calls detectSpike minute by minute the way the detector service does.

import { poisson } from '@faultline/testing';
import { detectSpike, type Bucket, type SpikeDecision, type SpikeOptions } from './spike';
import { MINUTE_MS } from './time';

export { gamma, mulberry32, poisson } from '@faultline/testing';

export const T0 = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC

/** A sparse stream (zero minutes omitted, as a GROUP BY returns them) of Poisson counts with a rate per minute. */
export function stream(rand: () => number, fromMs: number, minutes: number, ratePerMinute: (ms: number) => number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < minutes; i++) {
    const ms = fromMs + i * MINUTE_MS;
    const count = poisson(rand, ratePerMinute(ms));
    if (count > 0) out.push({ start: new Date(ms).toISOString(), count });
  }
  return out;
}

/** A daily cycle: `low` at 03:00 UTC rising smoothly to `high` at 15:00 UTC. */
export function daily(low: number, high: number): (ms: number) => number {
  return (ms) => {
    const hour = ((ms / 3_600_000) % 24 + 24) % 24;
    return low + ((high - low) * (1 - Math.cos((2 * Math.PI * (hour - 3)) / 24))) / 2;
  };
}

/** Adds `extra` events per minute during [fromMs, fromMs + minutes). */
export function withSpike(base: (ms: number) => number, fromMs: number, minutes: number, extra: number): (ms: number) => number {
  return (ms) => base(ms) + (ms >= fromMs && ms < fromMs + minutes * MINUTE_MS ? extra : 0);
}

export interface ReplayAlert {
  atMs: number;
  decision: SpikeDecision;
}

/**
 * Runs detectSpike for every bucket in [fromMs, toMs) as the service does: history is everything before
 * the recent buckets, recent is the last `recentBuckets` buckets (zero-filled) up to the current one.
 * Returns the buckets that were flagged.
 */
export function replay(buckets: Bucket[], fromMs: number, toMs: number, options: Partial<SpikeOptions> = {}, recentBuckets = 3): ReplayAlert[] {
  const bucketMs = (options.bucketMinutes ?? 1) * MINUTE_MS;
  const byMs = new Map(buckets.map((b) => [Date.parse(b.start), b.count]));
  const history: Bucket[] = [];
  let next = 0;
  const alerts: ReplayAlert[] = [];
  for (let at = fromMs; at < toMs; at += bucketMs) {
    const recentFrom = at - (recentBuckets - 1) * bucketMs;
    while (next < buckets.length && Date.parse(buckets[next].start) < recentFrom) history.push(buckets[next++]);
    const recent: Bucket[] = [];
    for (let ms = recentFrom; ms <= at; ms += bucketMs) recent.push({ start: new Date(ms).toISOString(), count: byMs.get(ms) ?? 0 });
    const decision = detectSpike(history, recent, options);
    if (decision.isSpike) alerts.push({ atMs: at, decision });
  }
  return alerts;
}
