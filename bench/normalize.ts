/*
 * Throughput of parse + normalize + fingerprint over a mixed corpus, on one core.
 * The corpus is the fixture set (Sentry, native, text traces, logs) scaled in memory to ≥ 100k
 * reports, each variant with its own ids, line numbers and message variables.
 * Last line: {"events":N,"seconds":S,"events_per_s":R}.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeFingerprint } from '@faultline/fingerprint';
import { normalizeReport } from '@faultline/normalize';
import type { RawReport } from '@faultline/schema';

const FIXTURES = join(__dirname, '..', 'tests', 'fixtures');
const REPORTS = Number(process.argv[2] ?? 120_000);
const UNIQUE = 12_000;

let seed = 0x9e3779b9;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
function hex(len: number): string {
  let s = '';
  while (s.length < len) s += (rand(0x10000) + 0x10000).toString(16).slice(1);
  return s.slice(0, len);
}

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => ext.test(f))
    .map((f) => readFileSync(join(FIXTURES, dir, f), 'utf8'));
}

type Template = { kind: RawReport['kind']; make: () => string };

function jsonTemplates(kind: 'sentry_event' | 'native_event', sources: string[], idKey: 'event_id' | 'id'): Template[] {
  return sources.map((text) => {
    const base = JSON.parse(text) as Record<string, unknown>;
    return {
      kind,
      make: () => {
        const e = structuredClone(base);
        e[idKey] = hex(32);
        e.timestamp = 1795169742 + rand(86_400);
        // Vary the variables of the message and the line numbers, as real traffic does.
        const body = JSON.stringify(e)
          .replace(/"(lineno|line|colno|column)":(\d+)/g, (_m, k: string, v: string) => `"${k}":${Number(v) + rand(40)}`)
          .replace(/\b(\d{2,5})\b(?=[^"]*"(?:,|\}))/g, () => String(rand(100_000)));
        return body;
      },
    };
  });
}

function textTemplates(sources: string[]): Template[] {
  return sources.map((text) => ({
    kind: 'log_text' as const,
    make: () => text.replace(/:(\d+):(\d+)\)/g, (_m, l: string, c: string) => `:${Number(l) + rand(30)}:${c})`).replace(/order \d+/g, () => `order ${rand(1_000_000)}`),
  }));
}

function buildCorpus(): RawReport[] {
  const sentry = jsonTemplates('sentry_event', files('sentry', /\.json$/), 'event_id');
  const native = jsonTemplates('native_event', files('native', /\.json$/), 'id');
  const nd = files('native', /\.ndjson$/)
    .flatMap((t) => t.split('\n'))
    .filter((l) => l.trim().length > 0 && (() => { try { JSON.parse(l); return true; } catch { return false; } })());
  const ndjson = jsonTemplates('native_event', nd, 'id');
  const text = textTemplates([...files('text', /\.txt$/), ...files('logs', /\.log$/)]);
  // Weights: mostly SDK events, a fair share of native events and text.
  const pool: Template[] = [...sentry, ...sentry, ...sentry, ...native, ...ndjson, ...text];
  const unique: RawReport[] = [];
  for (let i = 0; i < UNIQUE; i++) {
    const t = pool[i % pool.length];
    unique.push({ reportId: `r${i}`, project: 'bench', kind: t.kind, receivedAt: '2026-11-20T12:00:00.000Z', sourceName: `bench-${i}.log`, payload: t.make() });
  }
  const corpus: RawReport[] = [];
  for (let i = 0; i < REPORTS; i++) corpus.push(unique[i % UNIQUE]);
  return corpus;
}

function run(corpus: RawReport[]): { events: number; rejected: number; ms: number; cpuMs: number } {
  let events = 0;
  let rejected = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const report of corpus) {
    const result = normalizeReport(report);
    rejected += result.rejected.length;
    for (const event of result.events) {
      const fp = computeFingerprint(event);
      if (fp.fingerprint.length === 32) events++;
    }
  }
  const used = process.cpuUsage(cpu);
  return { events, rejected, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

const corpus = buildCorpus();
run(corpus.slice(0, 5_000)); // warm-up: JIT tiers, regex compilation
const { events, rejected, ms, cpuMs } = run(corpus);
const seconds = ms / 1000;
// CPU time as well: on a shared machine wall time also counts other processes' turns on the core.
console.log(`reports=${corpus.length} rejected=${rejected} cpu_seconds=${(cpuMs / 1000).toFixed(3)} events_per_cpu_s=${Math.round(events / (cpuMs / 1000))}`);
console.log(JSON.stringify({ events, seconds: Number(seconds.toFixed(3)), events_per_s: Math.round(events / seconds) }));
