import type { Frame } from '@faultline/schema';
import { guessInApp, inferPlatform, makeFrame } from '../frames';
import { type ParsedTrace, exception, isBlank, parseExceptionHeader } from './common';

const LOCATION_TAIL_RE = /:(\d{1,9})(?::(\d{1,9}))?$/;
const SPECIAL_LOCATIONS = new Set(['native', '<anonymous>', 'unknown location']);

function parseLocation(loc: string): { file: string | null; line: number | null; column: number | null } | null {
  if (SPECIAL_LOCATIONS.has(loc) || loc.startsWith('index ')) return { file: loc.startsWith('index ') ? null : loc, line: null, column: null };
  const m = LOCATION_TAIL_RE.exec(loc);
  if (!m) return null;
  const file = loc.slice(0, m.index);
  return { file: file.length > 0 ? file : null, line: Number(m[1]), column: m[2] !== undefined ? Number(m[2]) : null };
}

/** Index of the `(` that matches the final `)`, or -1. */
function matchingOpen(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** One V8 frame line (`    at fn (file:line:col)`, `at file:line:col`, `at async fn (…)`, `at new Foo (…)`), or null. */
export function parseV8Frame(line: string): Frame | null {
  let t = line.trim();
  if (!t.startsWith('at ') || t.length > 8192) return null;
  if (t.endsWith(' {')) t = t.slice(0, -2); // util.inspect opens the error's own properties (`[cause]`, `code`) here
  let body = t.slice(3).trim();
  if (body.startsWith('async ') && !body.endsWith(')')) body = body.slice(6).trim(); // `at async /file.js:1:2`
  let fn: string | null = null;
  let loc = body;
  if (body.endsWith(')')) {
    const open = matchingOpen(body);
    if (open > 0) {
      fn = body.slice(0, open).trim();
      loc = body.slice(open + 1, -1).trim();
      if (loc.startsWith('eval at ')) {
        // `eval at outer (file:1:2), <anonymous>:3:4`: the eval'd code sits at the outer call site.
        const inner = /\(([^()]*)\)/.exec(loc);
        loc = inner ? inner[1] : loc;
      }
    } else if (open === 0) {
      loc = body.slice(1, -1);
    }
  }
  if (fn === null && /\s/.test(loc)) return null;
  const where = parseLocation(loc);
  if (!where) return null;
  if (where.line === null && fn === null) return null;
  if (fn !== null) {
    if (fn.startsWith('async ')) fn = fn.slice(6).trim();
    if (fn.length === 0) fn = null;
  }
  // `(index 0)`, `(native)`, `(<anonymous>)`: engine built-ins such as Promise.all or Array.map.
  const builtin = where.line === null;
  return makeFrame(fn, null, where.file, where.line, where.column, !builtin && guessInApp('node', fn, null, where.file));
}

export function isV8Frame(line: string | undefined): boolean {
  return line !== undefined && /^\s*at\s/.test(line) && parseV8Frame(line) !== null;
}

const MORE_LINES_RE = /^\s*\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
const CAUSE_RE = /^\s*\[cause\]: /;

/**
 * A V8 trace: an optional `Type: message` header then `at` lines, innermost first. Node's
 * `[cause]: …` blocks (util.inspect of an error with a cause) become older links of the chain.
 */
export function parseV8(lines: readonly string[], i: number, end: number, hasHeader: boolean): ParsedTrace | null {
  const chain: Array<{ type: string; value: string; frames: Frame[] }> = [];
  let header = hasHeader ? parseExceptionHeader(lines[i]) : { type: 'Error', value: '' };
  let j = hasHeader ? i + 1 : i;
  let lastEnd: number;
  for (;;) {
    const frames: Frame[] = [];
    while (j < end) {
      const f = parseV8Frame(lines[j]);
      if (f) frames.push(f);
      else if (!MORE_LINES_RE.test(lines[j])) break;
      j++;
    }
    if (frames.length === 0 && chain.length === 0) return null;
    chain.push({ type: header.type, value: header.value, frames: frames.reverse() });
    lastEnd = j;
    // Node prints `{ [cause]: Error: inner` after the frames, possibly after a `{` or property lines.
    let k = j;
    while (k < end && k - j < 3 && !CAUSE_RE.test(lines[k]) && !isBlank(lines[k]) && /^\s*(?:\{|[\w$]+: )/.test(lines[k])) k++;
    if (k < end && CAUSE_RE.test(lines[k]) && isV8Frame(lines[k + 1])) {
      header = parseExceptionHeader(lines[k]);
      j = k + 1;
      continue;
    }
    break;
  }
  const files: Array<string | null> = [];
  for (const link of chain) for (const f of link.frames) files.push(f.file);
  const inferred = inferPlatform(files);
  const platform = inferred === 'javascript' ? 'javascript' : 'node';
  // Printed outermost first; the schema wants the root cause first.
  const exceptions = chain.reverse().map((c) => exception(c.type, c.value, c.frames));
  return { format: 'v8', platform, exceptions, start: i, end: lastEnd, severity: null, tags: {} };
}
