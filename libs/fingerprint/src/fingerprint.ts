import { createHash } from 'node:crypto';
import { type CrashEvent, type ExceptionValue, type Frame } from '@faultline/schema';
import { FINGERPRINT_TAG, isCanonicalKind, isJsLibrary } from '@faultline/normalize';
import { collapseRecursion, normalizeFrameForGrouping } from './frame-token';

export interface FingerprintRule {
  /** Every given condition must hold; a rule with no condition never matches. */
  match: {
    /** Glob (`*`, `?`) on the error type or any type in the chain, short or qualified (`java.lang.*`). */
    errorType?: string;
    canonicalKind?: string;
    /** Case-insensitive substring of the message. */
    messageContains?: string;
    /** Glob on any frame's module. */
    module?: string;
    /** Glob on any frame's function. */
    function?: string;
    tag?: { key: string; value: string };
  };
  /** Parts of the fingerprint; `{{ default }}` expands to the default grouping. */
  fingerprint: string[];
}

export interface Fingerprint {
  fingerprint: string;
  parts: string[];
}

/** Frames above this many tokens add nothing but cost: the crash side is kept. */
const MAX_FRAME_TOKENS = 256;

function chainOf(event: CrashEvent): ExceptionValue[] {
  return (event.exceptions ?? []).filter((e) => e.mechanism?.type !== 'suppressed');
}

/** In-app, unless symbolication resolved the frame into library code (a bundle's node_modules part). */
function countsAsInApp(frame: Frame): boolean {
  if (!frame.inApp) return false;
  return !(frame.symbolication?.status === 'resolved' && isJsLibrary(frame.file));
}

function frameTokens(frames: readonly Frame[], platform: string): string[] {
  const inApp = frames.filter(countsAsInApp);
  const use = inApp.length > 0 ? inApp : frames;
  const tokens: string[] = [];
  for (const f of use) {
    const t = normalizeFrameForGrouping(f, platform);
    if (t !== null) tokens.push(t);
  }
  const collapsed = collapseRecursion(tokens);
  return collapsed.length > MAX_FRAME_TOKENS ? collapsed.slice(collapsed.length - MAX_FRAME_TOKENS) : collapsed;
}

/** The grouping without custom fingerprints: type (or cross-runtime kind), causes, in-app frames; else the message template. */
export function defaultParts(event: CrashEvent): string[] {
  const chain = chainOf(event);
  const primary = chain.at(-1);
  const typePart = isCanonicalKind(event.canonicalKind) ? `kind:${event.canonicalKind}` : `type:${primary?.type ?? event.errorType}`;
  const parts = [typePart];
  if (!primary) {
    parts.push(`message:${event.messageTemplate}`);
    return parts;
  }
  for (const e of chain.slice(0, -1)) parts.push(`cause:${e.type}`);
  let frames = primary.frames;
  for (let k = chain.length - 2; frames.length === 0 && k >= 0; k--) frames = chain[k].frames;
  const tokens = frameTokens(frames, event.platform);
  if (tokens.length === 0) parts.push(`message:${event.messageTemplate}`);
  else for (const t of tokens) parts.push(`frame:${t}`);
  return parts;
}

/** Wildcard match (`*` any run, `?` one character), linear-time backtracking on the last star. */
export function globMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === value[v])) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Own tag values only: rule keys are configuration, and `constructor` must not find Object.prototype's. */
function tagValue(event: CrashEvent, key: string): string | undefined {
  const tags = event.tags;
  return tags && Object.hasOwn(tags, key) ? tags[key] : undefined;
}

function anyFrame(event: CrashEvent, test: (f: Frame) => boolean): boolean {
  for (const e of event.exceptions ?? []) for (const f of e.frames) if (test(f)) return true;
  return false;
}

export function ruleMatches(rule: FingerprintRule, event: CrashEvent): boolean {
  const m = rule?.match;
  if (!m) return false;
  let conditions = 0;
  if (m.errorType !== undefined) {
    conditions++;
    const types = [event.errorType];
    for (const e of event.exceptions ?? []) {
      types.push(e.type);
      if (e.module) types.push(`${e.module}.${e.type}`);
    }
    if (!types.some((t) => globMatch(m.errorType as string, t))) return false;
  }
  if (m.canonicalKind !== undefined) {
    conditions++;
    if (event.canonicalKind !== m.canonicalKind) return false;
  }
  if (m.messageContains !== undefined) {
    conditions++;
    if (!event.message.toLowerCase().includes(m.messageContains.toLowerCase())) return false;
  }
  if (m.module !== undefined) {
    conditions++;
    if (!anyFrame(event, (f) => f.module !== null && globMatch(m.module as string, f.module))) return false;
  }
  if (m.function !== undefined) {
    conditions++;
    if (!anyFrame(event, (f) => f.function !== null && globMatch(m.function as string, f.function))) return false;
  }
  if (m.tag !== undefined) {
    conditions++;
    if (tagValue(event, m.tag.key) !== m.tag.value) return false;
  }
  return conditions > 0;
}

const VARIABLE_RE = /^\{\{\s*([\w.]+)\s*\}\}$/;

function crashFrame(event: CrashEvent): Frame | undefined {
  const frames = chainOf(event).at(-1)?.frames ?? [];
  for (let i = frames.length - 1; i >= 0; i--) if (countsAsInApp(frames[i])) return frames[i];
  return frames.at(-1);
}

/** Sentry-style fingerprint entries: literals, `{{ default }}` and a few variables. */
export function expandFingerprint(entries: readonly string[], event: CrashEvent, defaults: () => string[]): string[] {
  const parts: string[] = [];
  for (const raw of entries) {
    if (typeof raw !== 'string') continue;
    const v = VARIABLE_RE.exec(raw.trim());
    if (!v) {
      parts.push(`custom:${raw}`);
      continue;
    }
    const name = v[1];
    if (name === 'default') parts.push(...defaults());
    else if (name === 'type' || name === 'error.type') parts.push(`type:${event.errorType}`);
    else if (name === 'error.value') parts.push(`value:${event.message}`);
    else if (name === 'message') parts.push(`message:${event.message}`);
    else if (name === 'transaction') parts.push(`transaction:${event.transaction ?? '<no-transaction>'}`);
    else if (name === 'level') parts.push(`level:${event.severity}`);
    else if (name === 'function') parts.push(`function:${crashFrame(event)?.function ?? '<no-function>'}`);
    else if (name === 'module') parts.push(`module:${crashFrame(event)?.module ?? '<no-module>'}`);
    else if (name.startsWith('tags.')) parts.push(`tag:${name.slice(5)}=${tagValue(event, name.slice(5)) ?? '<no-value>'}`);
    else parts.push(`custom:${raw}`);
  }
  return parts;
}

function sdkFingerprint(event: CrashEvent): string[] | null {
  const raw = tagValue(event, FINGERPRINT_TAG);
  if (typeof raw !== 'string' || raw.length === 0) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string') ? (value as string[]) : null;
  } catch {
    return null;
  }
}

export function hashParts(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/**
 * The grouping hash. A matching project rule decides first (the project's owners overrule the SDK),
 * then the fingerprint the SDK sent, then the default grouping.
 */
export function computeFingerprint(event: CrashEvent, rules: FingerprintRule[] = []): Fingerprint {
  let cached: string[] | null = null;
  const defaults = (): string[] => (cached ??= defaultParts(event));
  let parts: string[] | null = null;
  for (const rule of rules ?? []) {
    if (ruleMatches(rule, event) && Array.isArray(rule.fingerprint) && rule.fingerprint.length > 0) {
      parts = expandFingerprint(rule.fingerprint, event, defaults);
      break;
    }
  }
  if (parts === null) {
    const sdk = sdkFingerprint(event);
    if (sdk !== null) parts = expandFingerprint(sdk, event, defaults);
  }
  if (parts === null || parts.length === 0) parts = defaults();
  return { fingerprint: hashParts(parts), parts };
}

export function withFingerprint(event: CrashEvent, rules: FingerprintRule[] = []): CrashEvent {
  const { fingerprint, parts } = computeFingerprint(event, rules);
  return { ...event, fingerprint, fingerprintParts: parts };
}
