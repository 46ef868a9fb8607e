/**
 * CLI benchmark (not a test): `faultline analyze` on N generated events (default 100,000) in
 * NDJSON files, as a user runs it (the compiled CLI in a child process, offline analyzer).
 *
 *   npm run bench:cli [-- N]
 * Last line: {"events":N,"seconds":S}
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distRoot } from '@faultline/testing';
import { generateSentryEvents } from './support/generate-events';

const N = Number(process.argv[2] ?? 100_000);
const PER_FILE = 10_000;

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'faultline-bench-cli-'));
  try {
    const input = join(work, 'crashes');
    mkdirSync(input);
    let lines: string[] = [];
    let file = 0;
    for (const event of generateSentryEvents({ count: N, seed: 7 })) {
      lines.push(JSON.stringify(event));
      if (lines.length === PER_FILE) {
        writeFileSync(join(input, `events-${file++}.ndjson`), lines.join('\n') + '\n');
        lines = [];
      }
    }
    if (lines.length > 0) writeFileSync(join(input, `events-${file}.ndjson`), lines.join('\n') + '\n');

    const out = join(work, 'report');
    const started = performance.now();
    const result = spawnSync(process.execPath, [join(distRoot(__dirname), 'apps/cli/src/main.js'), 'analyze', input, '--out', out, '--llm', 'off'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`faultline analyze failed (${result.status}):\n${result.stderr}`);
    const document = JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')) as { clusters: Array<{ count: number }> };
    const events = document.clusters.reduce((n, c) => n + c.count, 0);
    process.stderr.write(`${document.clusters.length} clusters\n`);
    process.stdout.write(JSON.stringify({ events, seconds: Math.round(seconds * 10) / 10 }) + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
