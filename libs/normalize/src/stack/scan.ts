import { type ParsedTrace, isBlank } from './common';
import { isGeckoFrame, parseGecko } from './gecko';
import { isGoStart, parseGo } from './go';
import { isJavaFrame, parseJava } from './java';
import { isTracebackStart, parsePython } from './python';
import { isV8Frame, parseV8 } from './v8';

/** Lines longer than this are cut before parsing: no stack line is that long, and regexes stay cheap. */
export const MAX_LINE_CHARS = 8192;

/**
 * Tries every format at line `i`. Formats are told apart by their frame lines: Java `at a.B.c(F.java:1)`
 * (no space before the parenthesis), V8 `at fn (file:1:2)`, Gecko `fn@file:1:2`, Python `File "…"`, Go goroutines.
 */
export function tryParseAt(lines: readonly string[], i: number, end: number, regionStart: number): ParsedTrace | null {
  const line = lines[i];
  if (isBlank(line)) return null;
  if (isTracebackStart(line)) return parsePython(lines, i, end);
  if (isGoStart(line)) return parseGo(lines, i, end);
  const next = i + 1 < end ? lines[i + 1] : undefined;
  // An exception header starts at column 0; indented lines are frames or continuation.
  const header = !/^\s/.test(line);
  const previousBlank = i === regionStart || isBlank(lines[i - 1]);
  const lineIsJava = isJavaFrame(line);
  if (!lineIsJava && header && (isJavaFrame(next) || line.startsWith('Exception in thread "'))) return parseJava(lines, i, end);
  if (lineIsJava) return null;
  const lineIsV8 = isV8Frame(line);
  if (!lineIsV8 && header && isV8Frame(next)) return parseV8(lines, i, end, true);
  if (lineIsV8) return previousBlank ? parseV8(lines, i, end, false) : null;
  const lineIsGecko = isGeckoFrame(line);
  if (!lineIsGecko && header && isGeckoFrame(next)) return parseGecko(lines, i, end, true);
  if (lineIsGecko && previousBlank) return parseGecko(lines, i, end, false);
  return null;
}

/** Every trace in lines [start, end), in order; lines that start no trace are skipped. */
export function scanTraces(lines: readonly string[], start: number, end: number): ParsedTrace[] {
  const out: ParsedTrace[] = [];
  let i = start;
  while (i < end) {
    const t = tryParseAt(lines, i, end, start);
    if (t && t.end > i) {
      out.push(t);
      i = t.end;
    } else {
      i++;
    }
  }
  return out;
}

/** The first trace in lines [start, end), or null. */
export function firstTrace(lines: readonly string[], start: number, end: number): ParsedTrace | null {
  for (let i = start; i < end; i++) {
    const t = tryParseAt(lines, i, end, start);
    if (t) return t;
  }
  return null;
}

export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) if (lines[i].length > MAX_LINE_CHARS) lines[i] = lines[i].slice(0, MAX_LINE_CHARS);
  return lines;
}
