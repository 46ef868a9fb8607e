import type { CrashEvent, DeadLetterReason, RawReport } from '@faultline/schema';
import { type EventDraft, emptyContexts, finalizeEvent } from './event';
import { type TextRecord, splitTextRecords } from './logs';
import { nativeDraft } from './native';
import { type NormalizeOptions, resolveOptions } from './options';
import { type JsonContext, sentryDraft } from './sentry';
import { exception, findEmbeddedType } from './stack/common';
import { clip, hasLoneSurrogate, obj } from './util';

export interface Rejection {
  source: string;
  line: number | null;
  reason: DeadLetterReason;
  detail: string;
}

export interface NormalizeResult {
  events: CrashEvent[];
  rejected: Rejection[];
}

type Parsed = { ok: true; value: unknown } | { ok: false; reason: DeadLetterReason; detail: string };

/** Nesting depth of JSON text, counted without parsing, so a 10,000-deep document is refused before JSON.parse. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Jump over the string to its closing quote (indexOf is vectorised; most of a payload is strings).
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let backslashes = 0;
        for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return false;
      i = j + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
    i++;
  }
  return false;
}

export function parseJsonGuarded(text: string, maxDepth: number): Parsed {
  if (text.length > maxDepth && jsonDepthExceeds(text, maxDepth)) return { ok: false, reason: 'too_deep', detail: `JSON nested deeper than ${maxDepth}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: clip(error instanceof Error ? error.message : String(error), 200) };
  }
}

function reject(source: string, line: number | null, reason: DeadLetterReason, detail: string): NormalizeResult {
  return { events: [], rejected: [{ source, line, reason, detail }] };
}

/** More than 5% control characters (or any NUL) in the first 4 KiB: binary, not text. */
// Control characters other than tab, newlines and form feeds: finding them is the point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000e-\u001f]/;

function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 4096);
  if (!CONTROL_RE.test(n === text.length ? text : text.slice(0, n))) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) control++;
  }
  return n > 0 && control / n > 0.05;
}

const BINARY_MAGIC: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['elf', [0x7f, 0x45, 0x4c, 0x46]],
];

function sniffBinary(bytes: Uint8Array): string | null {
  for (const [name, magic] of BINARY_MAGIC) if (magic.every((b, i) => bytes[i] === b)) return name;
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return 'NUL bytes';
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textDraft(rec: TextRecord, sourceName: string): EventDraft {
  const trace = rec.trace;
  let exceptions = trace ? trace.exceptions : [];
  if (!trace && rec.logMessage !== null) {
    const named = findEmbeddedType(rec.logMessage);
    if (named) exceptions = [exception(named.type, named.value, [])];
  }
  const outer = exceptions.at(-1);
  if (outer && outer.value.length === 0 && rec.logMessage !== null) {
    // Go's net/http logs `http: panic serving …: runtime error: …` and then only the goroutine dump.
    exceptions = exceptions.slice(0, -1).concat({ ...outer, value: rec.logMessage });
  }
  const tags: Record<string, string> = { ...(trace?.tags ?? {}) };
  if (rec.logger !== null) tags.logger = rec.logger;
  return {
    id: `${sourceName}:${rec.line}`,
    timestamp: rec.timestamp,
    platform: trace?.platform ?? 'other',
    release: null,
    environment: null,
    severity: rec.severity,
    exceptions,
    message: rec.logMessage,
    errorType: null,
    user: null,
    tags,
    region: null,
    transaction: null,
    serverName: null,
    contexts: emptyContexts(),
    debugImages: [],
    source: { kind: 'text', name: sourceName, line: rec.line },
    raw: rec.text,
  };
}

function normalizeText(text: string, sourceName: string, o: NormalizeOptions): NormalizeResult {
  if (looksBinary(text)) return reject(sourceName, null, 'unsupported_format', 'binary content, not text');
  const records = splitTextRecords(text);
  if (records.length === 0) return reject(sourceName, null, 'no_records', 'no error log entry or stack trace found');
  return { events: records.map((r) => finalizeEvent(textDraft(r, sourceName), o)), rejected: [] };
}

type JsonKind = 'sentry' | 'native';

function isSentryShaped(e: Record<string, unknown>): boolean {
  const exc = e.exception;
  return (
    e.event_id !== undefined ||
    e.logentry !== undefined ||
    e.sdk !== undefined ||
    e['sentry.interfaces.Exception'] !== undefined ||
    Array.isArray(exc) ||
    (obj(exc) !== null && Array.isArray((exc as Record<string, unknown>).values))
  );
}

function eventFromJson(value: unknown, kind: JsonKind | 'detect', ctx: JsonContext, o: NormalizeOptions): { event: CrashEvent } | Rejection {
  const e = obj(value);
  if (!e) return { source: ctx.sourceName, line: ctx.line, reason: 'unsupported_format', detail: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  const k: JsonKind = kind === 'detect' ? (isSentryShaped(e) ? 'sentry' : 'native') : kind;
  const draft = k === 'sentry' ? sentryDraft(e, ctx, o.maxFrames) : nativeDraft(e, ctx, o.maxFrames);
  if (!draft) return { source: ctx.sourceName, line: ctx.line, reason: 'no_records', detail: `${k} event has no exception or message` };
  return { event: finalizeEvent(draft, o) };
}

function collect(results: Array<{ event: CrashEvent } | Rejection>): NormalizeResult {
  const out: NormalizeResult = { events: [], rejected: [] };
  for (const r of results) {
    if ('event' in r) out.events.push(r.event);
    else out.rejected.push(r);
  }
  return out;
}

function failure(source: string, error: unknown): NormalizeResult {
  // Our own bug: keep the input for replay after a fix, never crash the consumer.
  return reject(source, null, 'processing_failed', clip(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 300));
}

function byteLengthExceeds(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return Buffer.byteLength(s, 'utf8') > max;
}

/** One raw message from the gateway → events (one for JSON kinds; one per record for log text) or rejections. */
export function normalizeReport(report: RawReport, options?: Partial<NormalizeOptions>): NormalizeResult {
  const source = typeof report?.sourceName === 'string' && report.sourceName.length > 0 ? report.sourceName : String(report?.reportId ?? 'report');
  try {
    const o = resolveOptions(options, report.project, report.receivedAt);
    const payload = report.payload;
    if (typeof payload !== 'string') return reject(source, null, 'invalid_envelope', 'payload is not a string');
    if (byteLengthExceeds(payload, o.maxInputBytes)) return reject(source, null, 'too_large', `payload exceeds ${o.maxInputBytes} bytes`);
    if (hasLoneSurrogate(payload)) return reject(source, null, 'invalid_utf8', 'payload holds a lone surrogate, which UTF-8 cannot encode');
    switch (report.kind) {
      case 'sentry_event':
      case 'native_event': {
        const parsed = parseJsonGuarded(payload, o.maxJsonDepth);
        if (!parsed.ok) return reject(source, null, parsed.reason, parsed.detail);
        const ctx: JsonContext = { sourceName: source, line: null, raw: payload };
        return collect([eventFromJson(parsed.value, report.kind === 'sentry_event' ? 'sentry' : 'native', ctx, o)]);
      }
      case 'log_text':
        return normalizeText(payload, source, o);
      default:
        return reject(source, null, 'unsupported_format', `unknown report kind ${clip(String(report.kind), 64)}`);
    }
  } catch (error) {
    return failure(source, error);
  }
}

const LOG_LINE_START_RE = /^\[\d{4}[-/]\d{2}[-/]\d{2}/;

function normalizeDecoded(sourceName: string, content: string, o: NormalizeOptions): NormalizeResult {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const trimmed = text.trimStart();
  const first = trimmed.charCodeAt(0);
  if (first === 123 || (first === 91 && !LOG_LINE_START_RE.test(trimmed))) {
    if (jsonDepthExceeds(text, o.maxJsonDepth)) {
      // A deep document, or NDJSON whose lines are each fine: decide per line below.
      if (!text.includes('\n')) return reject(sourceName, null, 'too_deep', `JSON nested deeper than ${o.maxJsonDepth}`);
    } else {
      try {
        const value: unknown = JSON.parse(text);
        if (Array.isArray(value)) {
          if (value.length === 0) return reject(sourceName, null, 'no_records', 'empty JSON array');
          return collect(
            value.map((item, index) => {
              const raw = JSON.stringify(item) ?? 'null';
              return eventFromJson(item, 'detect', { sourceName: `${sourceName}#${index}`, line: null, raw }, o);
            }),
          );
        }
        return collect([eventFromJson(value, 'detect', { sourceName, line: null, raw: text }, o)]);
      } catch (error) {
        const detail = clip(error instanceof Error ? error.message : String(error), 200);
        if (!text.includes('\n') || !firstLineIsRecord(text, o.maxJsonDepth)) return reject(sourceName, null, 'invalid_json', detail);
      }
    }
    return normalizeNdjson(sourceName, text, o);
  }
  return normalizeText(text, sourceName, o);
}

function firstLineIsRecord(text: string, maxDepth: number): boolean {
  const line = text.trimStart().split('\n', 1)[0];
  const parsed = parseJsonGuarded(line, maxDepth);
  return parsed.ok ? obj(parsed.value) !== null : parsed.reason === 'too_deep';
}

/** NDJSON when the first non-empty line is a JSON object by itself; otherwise the document is broken JSON. */
function normalizeNdjson(sourceName: string, text: string, o: NormalizeOptions): NormalizeResult {
  const lines = text.split('\n');
  let firstIndex = 0;
  while (firstIndex < lines.length && lines[firstIndex].trim().length === 0) firstIndex++;
  const head = parseJsonGuarded(lines[firstIndex] ?? '', o.maxJsonDepth);
  if (!head.ok && head.reason === 'invalid_json') {
    return reject(sourceName, null, 'invalid_json', `not valid JSON or NDJSON: ${head.detail}`);
  }
  const results: Array<{ event: CrashEvent } | Rejection> = [];
  for (let i = firstIndex; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    const parsed = parseJsonGuarded(line, o.maxJsonDepth);
    if (!parsed.ok) {
      results.push({ source: sourceName, line: i + 1, reason: parsed.reason, detail: parsed.detail });
      continue;
    }
    results.push(eventFromJson(parsed.value, 'detect', { sourceName, line: i + 1, raw: line }, o));
  }
  const out = collect(results);
  if (out.events.length === 0 && out.rejected.length === 0) return reject(sourceName, null, 'no_records', 'no JSON records');
  return out;
}

/**
 * A file from the CLI: detects the format (JSON array, NDJSON, one Sentry or native event, or text:
 * logs, browser console dumps, bare traces) and normalizes every record in it.
 */
export function normalizeFile(sourceName: string, content: Uint8Array | string, options: Partial<NormalizeOptions> & { project: string }): NormalizeResult {
  const source = typeof sourceName === 'string' && sourceName.length > 0 ? sourceName : 'file';
  try {
    const receivedAt = typeof options?.receivedAt === 'string' ? options.receivedAt : new Date().toISOString();
    const o = resolveOptions(options, String(options?.project ?? 'default'), receivedAt);
    let text: string;
    if (typeof content === 'string') {
      if (byteLengthExceeds(content, o.maxInputBytes)) return reject(source, null, 'too_large', `file exceeds ${o.maxInputBytes} bytes`);
      if (hasLoneSurrogate(content)) return reject(source, null, 'invalid_utf8', 'text holds a lone surrogate');
      text = content;
    } else if (content instanceof Uint8Array) {
      if (content.length > o.maxInputBytes) return reject(source, null, 'too_large', `file exceeds ${o.maxInputBytes} bytes`);
      const binary = sniffBinary(content);
      if (binary !== null) return reject(source, null, 'unsupported_format', `binary content (${binary})`);
      try {
        text = utf8.decode(content);
      } catch {
        return reject(source, null, 'invalid_utf8', 'bytes are not valid UTF-8');
      }
    } else {
      return reject(source, null, 'unsupported_format', 'content is neither bytes nor text');
    }
    if (text.trim().length === 0) return reject(source, null, 'no_records', 'empty input');
    return normalizeDecoded(source, text, o);
  } catch (error) {
    return failure(source, error);
  }
}

