/* Helpers for this library's specs (not exported from index.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashEvent, Frame } from '@faultline/schema';
import { normalizeFile } from './normalize';
import type { NormalizeResult } from './normalize';

/** The fixture corpus; the build copies it next to the compiled specs (dist/tests/fixtures). */
export const FIXTURES = join(__dirname, '..', '..', '..', 'tests', 'fixtures');

export const RECEIVED_AT = '2026-11-20T12:00:00.000Z';

export function fixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export function normalizeFixture(path: string): NormalizeResult {
  return normalizeFile(path, fixture(path), { project: 'shop', receivedAt: RECEIVED_AT });
}

/** The only event of a result, failing loudly otherwise. */
export function only(result: NormalizeResult): CrashEvent {
  if (result.events.length !== 1) throw new Error(`expected one event, got ${result.events.length} (rejected: ${JSON.stringify(result.rejected)})`);
  return result.events[0];
}

/** Frames as [function, file, line] tuples, oldest first. */
export function frameTuples(frames: readonly Frame[]): Array<[string | null, string | null, number | null]> {
  return frames.map((f) => [f.function, f.file, f.line]);
}

export type HostileGenerators = typeof import('../../../tests/fixtures/hostile/generate');

/** The hostile-input generators ship as TypeScript in the fixture tree; Node strips the types on load. */
export function hostile(): HostileGenerators {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(FIXTURES, 'hostile', 'generate.ts')) as HostileGenerators;
}
