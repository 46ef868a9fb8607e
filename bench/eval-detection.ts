// Spike-detection evaluation on labelled synthetic streams.
// Quiet streams (several rates; flat, daily cycle, weekly cycle, over-dispersed, growing) and streams with one
// labelled spike (several sizes and durations, 3-minute bursts included; half of them right after a deploy).
// Each stream gets a warm-up history, then the detector runs minute by minute as the service does:
// detectSpike(history so far, last 3 buckets). An alert is true when it fires between a spike's onset and
// two buckets after its end; after an alert the stream is in cooldown for 60 minutes (no re-alert).
// Last line: {"streams","spike_precision","spike_recall","median_delay_buckets","false_alerts_per_day_quiet",…}.
// Optional argument: an alpha to try instead of the default (e.g. `node dist/bench/eval-detection.js 1e-4`).

import { attributeToDeploy, detectSpike, type Bucket, type SpikeOptions } from '@faultline/detection';
import { gamma, mulberry32, poisson } from '@faultline/testing';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const T0 = Date.UTC(2024, 0, 1); // a Monday
const RECENT_BUCKETS = 3;
const COOLDOWN_MIN = 60;
const MATCH_SLACK_BUCKETS = 2; // the two-bucket window can fire one or two buckets after a spike ends




type Pattern = 'flat' | 'daily' | 'weekly' | 'overdispersed' | 'growing';

function rateFn(pattern: Pattern, base: number): (ms: number) => number {
  const hourOfDay = (ms: number): number => (ms / 3_600_000) % 24;
  // Daily: 10× between 03:00 (trough) and 15:00 (peak), averaging `base`.
  const daily = (ms: number): number => (base / 0.55) * (0.1 + 0.9 * (1 - Math.cos((2 * Math.PI * (hourOfDay(ms) - 3)) / 24)) / 2);
  switch (pattern) {
    case 'flat':
    case 'overdispersed':
      return () => base;
    case 'daily':
      return daily;
    case 'growing':
      // Traffic growth: the daily cycle, with the level doubling every week.
      return (ms) => daily(ms) * 2 ** ((ms - T0) / (7 * DAY));
    case 'weekly': {
      // Weekends at 3× the weekday level, on top of the daily cycle.
      return (ms) => {
        const weekday = Math.floor((ms - T0) / DAY) % 7; // 0 = Monday
        return daily(ms) * (weekday >= 5 ? 3 : 1);
      };
    }
  }
}

interface Spike {
  onsetMs: number;
  minutes: number;
  extraPerMinute: number;
  label: string;
}

interface Deploy {
  id: string;
  release: string;
  environment: string;
  deployedAt: string;
  commitSha: string | null;
}

interface StreamSpec {
  name: string;
  seed: number;
  pattern: Pattern;
  base: number;
  warmupDays: number;
  evalDays: number;
  spike: Spike | null;
  deploys: Deploy[];
  causeDeployId: string | null;
}

function generate(spec: StreamSpec): { buckets: Bucket[]; evalFrom: number; evalTo: number } {
  const rand = mulberry32(spec.seed);
  const rate = rateFn(spec.pattern, spec.base);
  const minutes = (spec.warmupDays + spec.evalDays) * 1440;
  const buckets: Bucket[] = [];
  for (let i = 0; i < minutes; i++) {
    const ms = T0 + i * MINUTE;
    let mean = rate(ms);
    if (spec.pattern === 'overdispersed') mean *= gamma(rand, 3) / 3; // gamma–Poisson minutes: NB with α = 1/3
    const s = spec.spike;
    if (s && ms >= s.onsetMs && ms < s.onsetMs + s.minutes * MINUTE) mean += s.extraPerMinute;
    const count = poisson(rand, mean);
    if (count > 0) buckets.push({ start: new Date(ms).toISOString(), count });
  }
  const evalFrom = T0 + spec.warmupDays * DAY;
  return { buckets, evalFrom, evalTo: evalFrom + spec.evalDays * DAY };
}

interface Alert {
  atMs: number;
  onset: string;
  reason: string;
}

function run(spec: StreamSpec, options: Partial<SpikeOptions>): Alert[] {
  const { buckets, evalFrom, evalTo } = generate(spec);
  const counts = new Map(buckets.map((b) => [Date.parse(b.start), b.count]));
  const history: Bucket[] = [];
  let next = 0;
  let cooldownUntil = -Infinity;
  const alerts: Alert[] = [];
  for (let at = evalFrom; at < evalTo; at += MINUTE) {
    const recentFrom = at - (RECENT_BUCKETS - 1) * MINUTE;
    while (next < buckets.length && Date.parse(buckets[next].start) < recentFrom) history.push(buckets[next++]);
    const recent: Bucket[] = [];
    for (let ms = recentFrom; ms <= at; ms += MINUTE) recent.push({ start: new Date(ms).toISOString(), count: counts.get(ms) ?? 0 });
    const decision = detectSpike(history, recent, options);
    if (decision.isSpike && at >= cooldownUntil) {
      alerts.push({ atMs: at, onset: decision.onset ?? new Date(at).toISOString(), reason: decision.reason });
      cooldownUntil = at + COOLDOWN_MIN * MINUTE;
    }
  }
  return alerts;
}

function buildStreams(): StreamSpec[] {
  const specs: StreamSpec[] = [];
  const rates = [0.05, 0.3, 1, 3, 10, 40];
  let seed = 1;
  for (const base of rates) {
    for (const pattern of ['flat', 'daily', 'weekly', 'overdispersed', 'growing'] as const) {
      specs.push({
        name: `quiet/${pattern}/${base}`,
        seed: seed++,
        pattern,
        base,
        warmupDays: pattern === 'weekly' ? 14 : 7,
        evalDays: 3,
        spike: null,
        deploys: [],
        causeDeployId: null,
      });
    }
  }
  const shapes = [
    { minutes: 3, label: 'burst3' },
    { minutes: 10, label: 'spike10' },
    { minutes: 30, label: 'spike30' },
  ];
  const magnitudes = [3, 5, 10, 20];
  let i = 0;
  for (const base of rates) {
    for (const shape of shapes) {
      for (const magnitude of magnitudes) {
        const rand = mulberry32(1000 + i);
        const pattern: Pattern = i % 2 === 0 ? 'flat' : 'daily';
        const warmupDays = 7;
        // Onset anywhere in the evaluated day's middle, on a minute.
        const onsetMs = T0 + warmupDays * DAY + Math.floor((2 + rand() * 18) * 60) * MINUTE;
        // Extra rate: the multiple of the local rate, but at least 6/min so a spike on a near-silent stream is visible.
        const local = rateFn(pattern, base)(onsetMs);
        const extraPerMinute = Math.max((magnitude - 1) * local, 6);
        const withDeploy = i % 4 < 2;
        const deploys: Deploy[] = [
          { id: `d-old-${i}`, release: '1.0.0', environment: 'production', deployedAt: new Date(onsetMs - 3 * 3_600_000).toISOString(), commitSha: null },
          { id: `d-late-${i}`, release: '1.2.0', environment: 'production', deployedAt: new Date(onsetMs + 2 * 3_600_000).toISOString(), commitSha: null },
        ];
        let causeDeployId: string | null = null;
        if (withDeploy) {
          causeDeployId = `d-cause-${i}`;
          const before = Math.floor(1 + rand() * 10) * MINUTE;
          deploys.push({ id: causeDeployId, release: '1.1.0', environment: 'production', deployedAt: new Date(onsetMs - before).toISOString(), commitSha: null });
        }
        specs.push({
          name: `spike/${pattern}/${base}/${shape.label}/x${magnitude}`,
          seed: 5000 + i,
          pattern,
          base,
          warmupDays,
          evalDays: 1,
          spike: { onsetMs, minutes: shape.minutes, extraPerMinute, label: `${shape.label}/x${magnitude}` },
          deploys,
          causeDeployId,
        });
        i++;
      }
    }
  }
  return specs;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x: number | null, digits = 4): number | null {
  return x === null ? null : Number(x.toFixed(digits));
}

function main(): void {
  const started = Date.now();
  const options: Partial<SpikeOptions> = process.argv[2] ? { alpha: Number(process.argv[2]) } : {};
  const streams = buildStreams();
  let quietAlerts = 0;
  let quietDays = 0;
  let trueAlerts = 0;
  let falseAlerts = 0;
  let detected = 0;
  let labelled = 0;
  let attributed = 0;
  let attributionChecks = 0;
  const delays: number[] = [];
  const missed: string[] = [];
  const quietByPattern = new Map<string, number>();
  const bySize = new Map<string, { labelled: number; detected: number }>();
  for (const spec of streams) {
    const alerts = run(spec, options);
    if (spec.spike === null) {
      quietAlerts += alerts.length;
      quietDays += spec.evalDays;
      falseAlerts += alerts.length;
      quietByPattern.set(spec.pattern, (quietByPattern.get(spec.pattern) ?? 0) + alerts.length);
      for (const a of alerts) console.log(`false alert on ${spec.name} at ${new Date(a.atMs).toISOString()}: ${a.reason}`);
      continue;
    }
    labelled++;
    const s = spec.spike;
    const windowEnd = s.onsetMs + (s.minutes + MATCH_SLACK_BUCKETS) * MINUTE;
    let first: Alert | null = null;
    for (const a of alerts) {
      if (a.atMs >= s.onsetMs && a.atMs < windowEnd) {
        trueAlerts++;
        first ??= a;
      } else {
        falseAlerts++;
        console.log(`false alert on spike stream ${spec.name} at ${(a.atMs - s.onsetMs) / MINUTE} min from onset: ${a.reason}`);
      }
    }
    const size = bySize.get(s.label) ?? { labelled: 0, detected: 0 };
    bySize.set(s.label, size);
    size.labelled++;
    if (first === null) {
      missed.push(spec.name);
      continue;
    }
    size.detected++;
    detected++;
    delays.push((first.atMs - s.onsetMs) / MINUTE);
    attributionChecks++;
    const attribution = attributeToDeploy(first.onset, spec.deploys, 30);
    if ((attribution?.deployId ?? null) === spec.causeDeployId) attributed++;
  }
  if (missed.length > 0) console.log(`missed: ${missed.join(', ')}`);
  console.log(`recall by spike: ${[...bySize].map(([k, v]) => `${k} ${v.detected}/${v.labelled}`).join(', ')}`);
  console.log(`quiet false alerts by pattern: ${JSON.stringify(Object.fromEntries(quietByPattern))} over ${quietDays} stream-days`);
  const result = {
    streams: streams.length,
    spike_precision: round(trueAlerts + falseAlerts === 0 ? 1 : trueAlerts / (trueAlerts + falseAlerts)),
    spike_recall: round(labelled === 0 ? 1 : detected / labelled),
    median_delay_buckets: median(delays),
    false_alerts_per_day_quiet: round(quietDays === 0 ? 0 : quietAlerts / quietDays),
    deploy_attribution_accuracy: round(attributionChecks === 0 ? 1 : attributed / attributionChecks),
    labelled_spikes: labelled,
    quiet_stream_days: quietDays,
    seconds: round((Date.now() - started) / 1000, 1),
  };
  console.log(JSON.stringify(result));
}

main();
