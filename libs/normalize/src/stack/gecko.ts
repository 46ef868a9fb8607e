import type { Frame } from '@faultline/schema';
import { guessInApp, makeFrame } from '../frames';
import { type ParsedTrace, exception, parseExceptionHeader } from './common';

const LOCATION_RE = /:(\d{1,9})(?::(\d{1,9}))?$/;

/** One Firefox/Safari frame: `fn@url:line:col`, `@url:line:col` (anonymous), `global code@…`, `fn/<@…`, `async*fn@…`. */
export function parseGeckoFrame(line: string): Frame | null {
  const t = line.trim();
  if (t.length === 0 || t.length > 8192) return null;
  const at = t.indexOf('@');
  if (at < 0) return null;
  let fn = t.slice(0, at);
  const loc = t.slice(at + 1);
  if (loc.length === 0 || /\s/.test(loc) || fn.includes('(') || fn.length > 1024) return null;
  const m = LOCATION_RE.exec(loc);
  if (!m || m.index === 0) return null;
  const file = loc.slice(0, m.index);
  // Firefox marks async boundaries as `async*fn` or `promise callback*fn`.
  const star = fn.lastIndexOf('*');
  if (star >= 0) fn = fn.slice(star + 1);
  fn = fn.trim();
  const name = fn.length > 0 ? fn : null;
  return makeFrame(name, null, file, Number(m[1]), m[2] !== undefined ? Number(m[2]) : null, guessInApp('javascript', name, null, file));
}

export function isGeckoFrame(line: string | undefined): boolean {
  return line !== undefined && line.indexOf('@') !== -1 && parseGeckoFrame(line) !== null;
}

/** Firefox/Safari stacks: frame lines innermost first; the message, if any, is the line before them. */
export function parseGecko(lines: readonly string[], i: number, end: number, hasHeader: boolean): ParsedTrace | null {
  const header = hasHeader ? parseExceptionHeader(lines[i]) : { type: 'Error', value: '' };
  let j = hasHeader ? i + 1 : i;
  const frames: Frame[] = [];
  while (j < end) {
    const f = parseGeckoFrame(lines[j]);
    if (!f) break;
    frames.push(f);
    j++;
  }
  if (frames.length === 0) return null;
  return {
    format: 'gecko',
    platform: 'javascript',
    exceptions: [exception(header.type, header.value, frames.reverse())],
    start: i,
    end: j,
    severity: null,
    tags: {},
  };
}
