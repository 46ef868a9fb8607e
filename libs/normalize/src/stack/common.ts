import type { ExceptionValue, Frame, Severity } from '@faultline/schema';
import type { Platform } from '../frames';
import { MAX_MESSAGE_CHARS, clip } from '../util';

export type TraceFormat = 'v8' | 'gecko' | 'java' | 'python' | 'go';

/** One stack trace found in text: lines [start, end) of the input, exceptions oldest first, frames oldest first. */
export interface ParsedTrace {
  format: TraceFormat;
  platform: Platform;
  exceptions: ExceptionValue[];
  start: number;
  end: number;
  severity: Severity | null;
  tags: Record<string, string>;
}

/** A parser tries to read a trace starting at line `i` (never past `end`); null when none starts there. */
export type TraceParser = (lines: readonly string[], i: number, end: number) => ParsedTrace | null;

export const MAX_HEADER_CHARS = 4096;

export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim().length === 0;
}

/** Leading whitespace width, a tab counting as one level. */
export function indentOf(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 9) n += 4;
    else if (c === 32) n += 1;
    else break;
  }
  return n;
}

const UNCAUGHT_RE = /\bUncaught (?:\(in promise\) )?/;
const PREFIX_RE = /^(?:Exception in thread "[^"]{0,256}" |Caused by: |Suppressed: |Wrapped by: |\[(?:Error|Warning|Log|Info)\]\s+|\[cause\]: )/;
const SIMPLE_HEADER_RE = /^([A-Za-z_$][\w$]{0,255}(?:[.$][A-Za-z_$][\w$]{0,255}){0,32})(?::[ \t]?([\s\S]*))?$/;
const EMBEDDED_TYPE_RE = /\b([A-Za-z_$][\w$]{0,255}(?:\.[A-Za-z_$][\w$]{0,255}){0,32}(?:Error|Exception|Throwable|Panic|Fault))(?::[ \t]?(.*))?$/;

export interface Header {
  type: string;
  value: string;
  /** True when the line named an exception type; false when the whole line became the message. */
  typed: boolean;
}

/** `TypeError: msg`, `Uncaught (in promise) Error: x`, `Exception in thread "main" java.lang.X: y`, … */
export function parseExceptionHeader(raw: string): Header {
  let line = clip(raw, MAX_HEADER_CHARS).trim();
  const uncaught = UNCAUGHT_RE.exec(line);
  if (uncaught) line = line.slice(uncaught.index + uncaught[0].length);
  for (let k = 0; k < 3; k++) {
    const p = PREFIX_RE.exec(line);
    if (!p) break;
    line = line.slice(p[0].length);
  }
  const simple = SIMPLE_HEADER_RE.exec(line);
  if (simple) return { type: simple[1], value: clip((simple[2] ?? '').trim(), MAX_MESSAGE_CHARS), typed: true };
  const embedded = EMBEDDED_TYPE_RE.exec(line);
  if (embedded) return { type: embedded[1], value: clip((embedded[2] ?? '').trim(), MAX_MESSAGE_CHARS), typed: true };
  return { type: 'Error', value: clip(line, MAX_MESSAGE_CHARS), typed: false };
}

/** An exception type named inside free text (`… ConnectionError: refused`), for log lines without a trace. */
export function findEmbeddedType(line: string): Header | null {
  const m = EMBEDDED_TYPE_RE.exec(clip(line, MAX_HEADER_CHARS));
  return m ? { type: m[1], value: (m[2] ?? '').trim(), typed: true } : null;
}

/**
 * Java and Python qualify types with their package: split as their Sentry SDKs do
 * (`java.lang.IllegalStateException` → module `java.lang`, type `IllegalStateException`).
 */
export function splitQualifiedType(qualified: string): { type: string; module: string | null } {
  const dot = qualified.lastIndexOf('.');
  if (dot <= 0 || dot === qualified.length - 1) return { type: qualified, module: null };
  return { type: qualified.slice(dot + 1), module: qualified.slice(0, dot) };
}

export function exception(type: string, value: string, frames: Frame[], module: string | null = null, mechanism: ExceptionValue['mechanism'] = null): ExceptionValue {
  return { type: clip(type, 256) || 'Error', value, module, mechanism, frames };
}
