// Symbolication throughput: warm frames per second against cached maps, and the cold cost of a
// ≥ 5 MB source map (fetch + JSON parse + first lookup, which is when trace-mapping decodes).
// Run from the compiled tree: node .cache/dist-sym/bench/symbolicate.js
// Last line: {"frames_per_s":R,"cold_parse_ms_5mb":M}
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodedMappings, TraceMap } from '@jridgewell/trace-mapping';
import { buildSync } from 'esbuild';
import type { CrashEvent, Frame } from '@faultline/schema';
import { InMemoryArtifactStore, Symbolicator } from '@faultline/symbolication';
import { makeCrashEvent } from '@faultline/testing';

const MIN_MAP_BYTES = 5 * 1024 * 1024;
const FRAMES_PER_EVENT = 40;
const WARM_FRAMES = 1_000_000;
const COLD_RUNS = 7;
const URL = 'https://cdn.example.com/static/js/app.js';

/** A generated app: many modules of ordinary-looking functions, bundled and minified by esbuild. */
function buildBigBundle(modules: number): { js: string; map: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  try {
    mkdirSync(join(dir, 'src'));
    const imports: string[] = [];
    for (let m = 0; m < modules; m++) {
      const lines: string[] = [];
      for (let f = 0; f < 40; f++) {
        lines.push(
          `export function computeOrderTotal_${m}_${f}(orderItems, discountRate) {`,
          `  let runningSubtotal = 0;`,
          `  for (const lineItem of orderItems) {`,
          `    const unitPrice = normalizePrice_${m}_${f}(lineItem.price, lineItem.currency);`,
          `    runningSubtotal += unitPrice * lineItem.quantity;`,
          `  }`,
          `  if (runningSubtotal > ${1000 + f}) {`,
          `    throw new RangeError('order ${m}/${f} exceeds the limit: ' + runningSubtotal);`,
          `  }`,
          `  return Math.round(runningSubtotal * (1 - discountRate) * 100) / 100;`,
          `}`,
          `function normalizePrice_${m}_${f}(rawPrice, currencyCode) {`,
          `  const exchangeRate = currencyCode === 'EUR' ? 1.08 : currencyCode === 'GBP' ? 1.27 : 1;`,
          `  return Number(rawPrice) * exchangeRate;`,
          `}`,
        );
      }
      writeFileSync(join(dir, 'src', `module${m}.js`), lines.join('\n'));
      imports.push(`import * as module${m} from './module${m}.js';`);
    }
    writeFileSync(join(dir, 'src', 'app.js'), `${imports.join('\n')}\nglobalThis.modules = [${Array.from({ length: modules }, (_, m) => `module${m}`).join(', ')}];\n`);
    const result = buildSync({
      absWorkingDir: dir,
      entryPoints: [join(dir, 'src', 'app.js')],
      bundle: true,
      minify: true,
      sourcemap: 'external',
      sourcesContent: true,
      outdir: join(dir, 'dist'),
      write: false,
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
    if (!js || !map) throw new Error('esbuild produced no bundle');
    return { js: js.text, map: map.text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function event(frames: Frame[]): CrashEvent {
  return makeCrashEvent({ id: 'bench', fingerprint: '', project: 'bench', platform: 'javascript', environment: null }, frames);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  let modules = 120;
  let bundle = buildBigBundle(modules);
  while (Buffer.byteLength(bundle.map) < MIN_MAP_BYTES) {
    modules = Math.ceil(modules * (MIN_MAP_BYTES / Buffer.byteLength(bundle.map)) * 1.05);
    bundle = buildBigBundle(modules);
  }
  const mapBytes = new TextEncoder().encode(bundle.map);
  const store = new InMemoryArtifactStore();
  await store.put({ project: 'bench', release: '1.0.0', kind: 'sourcemap', name: '~/static/js/app.js.map', debugId: null }, mapBytes);

  // Real generated positions (1-based line and column, as stack traces give them).
  const positions: Array<{ line: number; column: number }> = [];
  const decoded = decodedMappings(new TraceMap(bundle.map));
  decoded.forEach((segments, line) => {
    for (let k = 0; k < segments.length; k += 7) positions.push({ line: line + 1, column: segments[k][0] + 1 });
  });
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const frameAt = () => {
    const p = positions[Math.floor(random() * positions.length)];
    return { function: 'x', module: null, file: URL, line: p.line, column: p.column, inApp: true } satisfies Frame;
  };

  // Cold: a fresh symbolicator each time; the first lookup forces trace-mapping to decode the mappings.
  const cold: number[] = [];
  const coldCpu: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const symbolicator = new Symbolicator(store);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const out = await symbolicator.symbolicate(event([frameAt()]));
    cold.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    coldCpu.push((cpu.user + cpu.system) / 1000);
    if (out.exceptions[0].frames[0].symbolication?.status !== 'resolved') throw new Error('cold lookup did not resolve');
  }

  // Warm: one symbolicator, map cached; many events of many frames.
  const symbolicator = new Symbolicator(store);
  const events = Array.from({ length: 500 }, () => event(Array.from({ length: FRAMES_PER_EVENT }, frameAt)));
  for (const e of events) await symbolicator.symbolicate(e);
  let frames = 0;
  let resolved = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (frames < WARM_FRAMES) {
    for (const e of events) {
      const out = await symbolicator.symbolicate(e);
      frames += FRAMES_PER_EVENT;
      if (out.exceptions[0].frames[FRAMES_PER_EVENT - 1].symbolication?.status === 'resolved') resolved++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (resolved === 0) throw new Error('warm lookups did not resolve');

  const result = { frames_per_s: Math.round(frames / seconds), cold_parse_ms_5mb: Number(median(cold).toFixed(1)) };
  console.log(
    JSON.stringify({
      detail: {
        map_bytes: mapBytes.byteLength,
        bundle_bytes: Buffer.byteLength(bundle.js),
        modules,
        cold_runs_ms: cold.map((ms) => Number(ms.toFixed(1))),
        cold_cpu_ms_median: Number(median(coldCpu).toFixed(1)),
        warm_frames: frames,
        warm_seconds: Number(seconds.toFixed(3)),
        // On a shared machine wall time includes waiting for a core; CPU time shows the code's own cost.
        warm_frames_per_cpu_s: Math.round(frames / cpuSeconds),
        stats: symbolicator.stats(),
      },
    }),
  );
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
