import type { CrashEvent, ExceptionValue, Frame, Severity } from '@faultline/schema';
import { canonicalErrorKind } from './canonical';
import { type Platform, trimFrames } from './frames';
import type { NormalizeOptions, ScrubRules } from './options';
import { parameterizeMessage } from './parameterize';
import { scrubBounded, scrubText } from './scrub';
import { MAX_CHAIN, MAX_CONTEXT_CHARS, MAX_CONTEXT_LINES, MAX_MESSAGE_CHARS, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, MAX_TAGS, clip, contentId, toIsoTimestamp, truncateUtf8 } from './util';

/** The tag that carries an SDK-set fingerprint (JSON array of strings) to the fingerprint library. */
export const FINGERPRINT_TAG = '__fingerprint';
/** Longest SDK fingerprint kept, as JSON: whole parts are dropped from the end to fit. */
const MAX_FINGERPRINT_JSON_CHARS = 4096;

/** What a format parser produces; `finalizeEvent` bounds, scrubs and derives the rest. */
export interface EventDraft {
  id: string;
  timestamp: string | null;
  platform: Platform;
  release: string | null;
  environment: string | null;
  severity: Severity;
  exceptions: ExceptionValue[];
  /** Message when no exception carries one (log line, Sentry logentry). */
  message: string | null;
  /** Type for message-only events, e.g. a type named in a log line. */
  errorType: string | null;
  user: { value: string; pseudonymizeIfScrubbed: boolean } | null;
  tags: Record<string, string>;
  region: string | null;
  transaction: string | null;
  serverName: string | null;
  contexts: CrashEvent['contexts'];
  debugImages: CrashEvent['debugImages'];
  source: CrashEvent['source'];
  raw: string;
}

export function emptyContexts(): CrashEvent['contexts'] {
  return { os: null, device: null, browser: null, runtime: null };
}

const NEEDS_SCRUB_IN_PATH = /[@?=]/;

function scrubFrame(f: Frame, o: NormalizeOptions): Frame {
  const rules = o.scrub;
  if (f.file !== null && NEEDS_SCRUB_IN_PATH.test(f.file)) f.file = scrubText(f.file, rules);
  if (typeof f.contextLine === 'string') f.contextLine = scrubText(clip(f.contextLine, MAX_CONTEXT_CHARS), rules);
  if (f.preContext) f.preContext = f.preContext.slice(-MAX_CONTEXT_LINES).map((l) => scrubText(clip(l, MAX_CONTEXT_CHARS), rules));
  if (f.postContext) f.postContext = f.postContext.slice(0, MAX_CONTEXT_LINES).map((l) => scrubText(clip(l, MAX_CONTEXT_CHARS), rules));
  return f;
}

function boundChain(chain: ExceptionValue[]): ExceptionValue[] {
  if (chain.length <= MAX_CHAIN) return chain;
  // Keep the root causes and the outermost links; the middle of a 10,000-link chain says nothing new.
  return chain.slice(0, 8).concat(chain.slice(chain.length - (MAX_CHAIN - 8)));
}

let lastReceivedIn = '';
let lastReceivedOut = '';
/** Every event of a batch shares one receivedAt: parse it once. */
function normalizedReceivedAt(value: string): string {
  if (value !== lastReceivedIn) {
    lastReceivedOut = toIsoTimestamp(value) ?? value;
    lastReceivedIn = value;
  }
  return lastReceivedOut;
}

/** Bounds every field, scrubs personal data and derives errorType, templates and kind. */
export function finalizeEvent(d: EventDraft, o: NormalizeOptions): CrashEvent {
  const rules = o.scrub;
  const exceptions = boundChain(d.exceptions).map((e) => ({
    ...e,
    value: e.value.length > 0 ? scrubBounded(e.value, rules, MAX_MESSAGE_CHARS) : '',
    frames: trimFrames(e.frames, o.maxFrames).map((f) => scrubFrame({ ...f }, o)),
  }));
  const primary = exceptions.at(-1);
  const errorType = primary?.type ?? d.errorType ?? 'Message';
  let message = primary && primary.value.length > 0 ? primary.value : '';
  if (message.length === 0 && d.message !== null) message = scrubBounded(d.message.trim(), rules, MAX_MESSAGE_CHARS);

  const tags: Record<string, string> = {};
  let count = 0;
  for (const key of Object.keys(d.tags)) {
    if (count >= MAX_TAGS) break;
    const k = clip(key.trim(), MAX_TAG_KEY_CHARS);
    if (k.length === 0 || k === '__proto__' || k === FINGERPRINT_TAG) continue;
    tags[k] = scrubText(clip(d.tags[key], MAX_TAG_VALUE_CHARS), rules);
    count++;
  }
  // The SDK's fingerprint is not a user tag: it has no place in the tag budget and must stay valid JSON.
  const sdkFingerprint = d.tags[FINGERPRINT_TAG] === undefined ? null : boundedFingerprint(d.tags[FINGERPRINT_TAG], rules);
  if (sdkFingerprint !== null) tags[FINGERPRINT_TAG] = sdkFingerprint;

  let userId: string | null = null;
  if (d.user !== null) {
    const scrubbed = scrubText(clip(d.user.value, 256), rules);
    // An e-mail or IP used as the user id would become "[email]" for everyone: keep users countable without storing them.
    userId = scrubbed !== d.user.value && d.user.pseudonymizeIfScrubbed ? `anon:${contentId(`${o.project}\u0000${d.user.value}`).slice(0, 16)}` : scrubbed;
  }

  const receivedAt = normalizedReceivedAt(o.receivedAt);
  return {
    id: clip(d.id, 512),
    project: o.project,
    timestamp: d.timestamp ?? receivedAt,
    receivedAt,
    platform: d.platform,
    release: d.release,
    environment: d.environment,
    severity: d.severity,
    errorType,
    message,
    messageTemplate: parameterizeMessage(message),
    canonicalKind: canonicalErrorKind(errorType, message),
    exceptions,
    userId,
    tags,
    region: d.region,
    transaction: d.transaction === null ? null : scrubText(d.transaction, rules),
    serverName: d.serverName,
    contexts: d.contexts,
    debugImages: d.debugImages,
    source: d.source,
    fingerprint: '',
    fingerprintParts: [],
    raw: truncateUtf8(scrubBounded(d.raw, rules, o.maxRawBytes), o.maxRawBytes),
  };
}

export function toSeverity(level: string | null, fallback: Severity = 'error'): Severity {
  return level === null ? fallback : (severityOfLevel(level) ?? fallback);
}

/** A level name as SDKs, loggers and syslog spell it (any case), or null for one we do not know. */
export function severityOfLevel(level: string): Severity | null {
  switch (level.trim().toLowerCase()) {
    case 'fatal':
    case 'critical':
    case 'crit':
    case 'panic':
    case 'emerg':
    case 'emergency':
    case 'alert':
      return 'fatal';
    case 'error':
    case 'err':
    case 'severe':
      return 'error';
    case 'warning':
    case 'warn':
      return 'warning';
    case 'info':
    case 'log':
    case 'notice':
      return 'info';
    case 'debug':
    case 'trace':
    case 'verbose':
      return 'debug';
    default:
      return null;
  }
}

/** The SDK fingerprint (a JSON array of strings) scrubbed and cut to whole parts that fit; null when it is not one. */
function boundedFingerprint(json: string, rules: ScrubRules): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const parts = parsed.filter((p): p is string => typeof p === 'string').map((p) => scrubText(p, rules));
  while (parts.length > 0 && JSON.stringify(parts).length > MAX_FINGERPRINT_JSON_CHARS) parts.pop();
  return parts.length > 0 ? JSON.stringify(parts) : null;
}
