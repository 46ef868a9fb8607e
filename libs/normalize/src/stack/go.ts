import type { ExceptionValue, Frame } from '@faultline/schema';
import { goPackage, guessInApp, makeFrame } from '../frames';
import { type ParsedTrace, exception, isBlank } from './common';

const PANIC_RE = /^(panic|fatal error): (.*?)(?: \[recovered(?:, repanicked)?\])?\s*$/;
const NESTED_PANIC_RE = /^\s+panic: (.*?)(?: \[recovered(?:, repanicked)?\])?\s*$/;
const SIGNAL_RE = /^\[signal ([^\]]{0,256})\]\s*$/;
const GOROUTINE_RE = /^goroutine (\d{1,12}) \[([^\]]{0,256})\]:\s*$/;
const FILE_LINE_RE = /^\s+(\S.{0,2047}?):(\d{1,9})(?: \+0x[0-9a-f]{1,16})?\s*$/;
const CREATED_BY_RE = /^created by /;

export function isGoStart(line: string | undefined): boolean {
  return line !== undefined && (line.startsWith('panic: ') || line.startsWith('fatal error: ') || GOROUTINE_RE.test(line));
}

/** `main.(*Server).handle(0xc0000, {0x1, 0x2})` → `main.(*Server).handle`: the argument list is the last balanced group. */
export function stripGoArgs(call: string): string {
  const t = call.trim();
  if (!t.endsWith(')')) return t;
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    const c = t.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i > 0 && t.charCodeAt(i - 1) !== 46 ? t.slice(0, i) : t;
  }
  return t;
}

interface Goroutine {
  id: string;
  status: string;
  frames: Frame[];
}

/**
 * A Go panic: `panic: msg` (nested `panic:` lines for re-panics), optional `[signal …]`, then goroutine
 * blocks of function/file line pairs. The crash is the goroutine that is running (printed first).
 */
export function parseGo(lines: readonly string[], i: number, end: number): ParsedTrace | null {
  const first = lines[i];
  const panics: Array<{ type: string; value: string }> = [];
  const tags: Record<string, string> = {};
  let j = i;
  const head = PANIC_RE.exec(first);
  if (head) {
    const kind = head[1];
    const value = head[2];
    panics.push({ type: kind === 'fatal error' ? 'fatal error' : value.startsWith('runtime error: ') ? 'runtime.Error' : 'panic', value });
    j++;
    while (j < end) {
      const nested = NESTED_PANIC_RE.exec(lines[j]);
      if (nested) {
        panics.push({ type: nested[1].startsWith('runtime error: ') ? 'runtime.Error' : 'panic', value: nested[1] });
        j++;
        continue;
      }
      const sig = SIGNAL_RE.exec(lines[j]);
      if (sig) {
        tags.signal = sig[1].split(':')[0];
        j++;
        continue;
      }
      break;
    }
  } else if (!GOROUTINE_RE.test(first)) {
    return null;
  }
  const routines: Goroutine[] = [];
  let lastEnd = j;
  for (;;) {
    let k = j;
    while (k < end && isBlank(lines[k])) k++;
    const g = k < end ? GOROUTINE_RE.exec(lines[k]) : null;
    if (!g) break;
    const routine: Goroutine = { id: g[1], status: g[2], frames: [] };
    k++;
    while (k < end && !isBlank(lines[k])) {
      const line = lines[k];
      if (CREATED_BY_RE.test(line)) {
        k += FILE_LINE_RE.test(lines[k + 1] ?? '') ? 2 : 1;
        continue;
      }
      if (line.startsWith('...')) {
        k++;
        continue;
      }
      const loc = FILE_LINE_RE.exec(lines[k + 1] ?? '');
      if (/^\s/.test(line) || !loc) break;
      const fn = stripGoArgs(line);
      const file = loc[1];
      routine.frames.push(makeFrame(fn, goPackage(fn), file, Number(loc[2]), null, guessInApp('go', fn, null, file)));
      k += 2;
    }
    routines.push(routine);
    j = k;
    lastEnd = k;
  }
  if (routines.length === 0 && panics.length === 0) return null;
  const crashed = routines.find((r) => r.status.startsWith('running')) ?? routines[0];
  if (panics.length === 0) panics.push({ type: 'panic', value: '' });
  const exceptions: ExceptionValue[] = panics.map((p, idx) =>
    exception(p.type, p.value, idx === panics.length - 1 && crashed ? crashed.frames.slice().reverse() : []),
  );
  if (crashed) tags.goroutine = crashed.id;
  return { format: 'go', platform: 'go', exceptions, start: i, end: Math.max(lastEnd, i + 1), severity: 'fatal', tags };
}
