import type { ExceptionValue, Frame } from '@faultline/schema';
import { guessInApp, makeFrame } from '../frames';
import { MAX_CONTEXT_CHARS, clip } from '../util';
import { type ParsedTrace, exception, indentOf, isBlank, splitQualifiedType } from './common';

const TRACEBACK_RE = /^\s*Traceback \(most recent call last\):\s*$/;
const FILE_RE = /^(\s*)File "([^"]{0,2048})", line (\d{1,9})(?:, in (.{1,1024}))?\s*$/;
const CARET_RE = /^\s*[~^]+\s*$/;
const REPEATED_RE = /^\s*\[Previous line repeated \d{1,9} more times?\]\s*$/;
const CHAIN_RE = /^(?:The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:)\s*$/;
const EXC_LINE_RE = /^([A-Za-z_][\w.]{0,255})(?::\s?(.*))?$/;

export function isTracebackStart(line: string | undefined): boolean {
  return line !== undefined && line.indexOf('Traceback') !== -1 && TRACEBACK_RE.test(line);
}

/** Python module from a path: the dotted path under site-packages, else the file name without `.py`. */
export function pythonModule(file: string): string | null {
  if (file.startsWith('<')) return null;
  const norm = file.replace(/\\/g, '/');
  const sp = norm.search(/\/(?:site|dist)-packages\//);
  let rel = sp >= 0 ? norm.slice(norm.indexOf('-packages/', sp) + 10) : norm.slice(norm.lastIndexOf('/') + 1);
  rel = rel.replace(/\.py[cw]?$/, '').replace(/\/__init__$/, '');
  return rel.length > 0 ? rel.replace(/\//g, '.') : null;
}

/** A Python traceback, with chained tracebacks (`The above exception was…`, `During handling…`) in printed order, oldest first. */
export function parsePython(lines: readonly string[], i: number, end: number): ParsedTrace | null {
  if (!isTracebackStart(lines[i])) return null;
  const exceptions: ExceptionValue[] = [];
  let j = i;
  let lastEnd: number;
  for (;;) {
    j++;
    const frames: Frame[] = [];
    let fileIndent = 0;
    while (j < end) {
      const line = lines[j];
      const m = FILE_RE.exec(line);
      if (m) {
        const file = m[2];
        const fn = m[4] !== undefined ? m[4].trim() : null;
        frames.push(makeFrame(fn, pythonModule(file), file, Number(m[3]), null, guessInApp('python', fn, null, file)));
        fileIndent = m[1].length;
        j++;
        continue;
      }
      if (frames.length > 0 && !isBlank(line) && indentOf(line) > fileIndent) {
        if (!CARET_RE.test(line) && !REPEATED_RE.test(line)) {
          const last = frames[frames.length - 1];
          if (last.contextLine === undefined) last.contextLine = clip(line.trim(), MAX_CONTEXT_CHARS);
        }
        j++;
        continue;
      }
      if (REPEATED_RE.test(line)) {
        j++;
        continue;
      }
      break;
    }
    let type = 'Exception';
    let value = '';
    let module: string | null = null;
    if (j < end && !isBlank(lines[j]) && !TRACEBACK_RE.test(lines[j])) {
      const t = lines[j].trim();
      const m = EXC_LINE_RE.exec(t);
      if (m) {
        ({ type, module } = splitQualifiedType(m[1]));
        value = (m[2] ?? '').trim();
      } else {
        value = t;
      }
      j++;
    }
    exceptions.push(exception(type, value, frames, module));
    lastEnd = j;
    let k = j;
    while (k < end && isBlank(lines[k])) k++;
    if (k < end && CHAIN_RE.test(lines[k].trim())) {
      k++;
      while (k < end && isBlank(lines[k])) k++;
      if (k < end && TRACEBACK_RE.test(lines[k])) {
        j = k;
        continue;
      }
    }
    break;
  }
  return { format: 'python', platform: 'python', exceptions, start: i, end: lastEnd, severity: null, tags: {} };
}
