import { z } from 'zod';

/** Why a frame kept its minified/obfuscated form. A fixed list: it is a metric label and a report column. */
export const UNRESOLVED_REASONS = ['no_artifact', 'malformed_map', 'out_of_range', 'no_position'] as const;
export const UnresolvedReason = z.enum(UNRESOLVED_REASONS);
export type UnresolvedReason = z.infer<typeof UnresolvedReason>;

export const Symbolication = z.discriminatedUnion('status', [
  z.object({ status: z.literal('resolved'), via: z.enum(['sourcemap', 'proguard']), artifact: z.string() }),
  z.object({ status: z.literal('unresolved'), reason: UnresolvedReason }),
]);
export type Symbolication = z.infer<typeof Symbolication>;

/**
 * One stack frame. Frames in every list are ordered oldest call first, crashing frame last
 * (Sentry's order), whatever order the input used.
 */
export const Frame = z.object({
  function: z.string().nullable(),
  module: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  inApp: z.boolean(),
  contextLine: z.string().nullable().optional(),
  preContext: z.array(z.string()).optional(),
  postContext: z.array(z.string()).optional(),
  /** Set when symbolication was attempted: how this frame came to be (or why it did not resolve). */
  symbolication: Symbolication.optional(),
  /** The frame as received, kept when symbolication rewrote it. */
  original: z
    .object({ function: z.string().nullable(), file: z.string().nullable(), line: z.number().nullable(), column: z.number().nullable() })
    .optional(),
});
export type Frame = z.infer<typeof Frame>;

/** One link of an exception chain. */
export const ExceptionValue = z.object({
  type: z.string(),
  value: z.string(),
  module: z.string().nullable().optional(),
  mechanism: z.object({ type: z.string(), handled: z.boolean().nullable() }).nullable().optional(),
  frames: z.array(Frame),
});
export type ExceptionValue = z.infer<typeof ExceptionValue>;

export const SEVERITIES = ['fatal', 'error', 'warning', 'info', 'debug'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const SOURCE_KINDS = ['sentry', 'native', 'text'] as const;

/** The one normalized schema every input format becomes. */
export const CrashEvent = z.object({
  /** The input's own id: Sentry event_id, a native event's id, or `<source name>:<first line>` for text records. */
  id: z.string().min(1).max(512),
  project: z.string().min(1),
  timestamp: z.string(), // ISO-8601 UTC with milliseconds
  receivedAt: z.string(),
  platform: z.string(), // javascript | node | java | python | go | native | other
  release: z.string().nullable(),
  environment: z.string().nullable(),
  severity: Severity,
  errorType: z.string(),
  message: z.string(),
  /** The message with its variable parts replaced by placeholders (<num>, <uuid>, <email>, …). */
  messageTemplate: z.string(),
  /** One kind for an error however a browser or runtime words it, e.g. `null_property_access`. */
  canonicalKind: z.string(),
  /** Exception chain, oldest (root cause) first; the last one is the outermost. */
  exceptions: z.array(ExceptionValue),
  userId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  region: z.string().nullable(),
  transaction: z.string().nullable(),
  serverName: z.string().nullable(),
  contexts: z.object({
    os: z.string().nullable(),
    device: z.string().nullable(),
    browser: z.string().nullable(),
    runtime: z.string().nullable(),
  }),
  /** Debug files the event references (Sentry `debug_meta.images`): how symbol files are matched by id. */
  debugImages: z.array(
    z.object({
      type: z.enum(['sourcemap', 'proguard', 'other']),
      codeFile: z.string().nullable(),
      debugId: z.string().nullable(),
    }),
  ),
  source: z.object({ kind: z.enum(SOURCE_KINDS), name: z.string(), line: z.number().int().nullable() }),
  /** The grouping hash: one issue per (project, fingerprint). */
  fingerprint: z.string(),
  /** What went into the hash, to explain the grouping. */
  fingerprintParts: z.array(z.string()),
  /** The input as received, truncated to a bound, for audit. */
  raw: z.string(),
});
export type CrashEvent = z.infer<typeof CrashEvent>;

/** The frames that drive grouping and analysis: the outermost exception's (last in the chain). */
export function primaryFrames(event: Pick<CrashEvent, 'exceptions'>): Frame[] {
  return event.exceptions.at(-1)?.frames ?? [];
}

/** The frame an error is blamed on: the innermost in-app frame of the primary stack, else its innermost frame. */
export function crashSite(event: Pick<CrashEvent, 'exceptions'>): Frame | undefined {
  const frames = primaryFrames(event);
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i].inApp) return frames[i];
  return frames.at(-1);
}

/** `function (file:line)` of the crash site, for titles and culprit columns. */
export function describeCrashSite(event: Pick<CrashEvent, 'exceptions'>): string {
  const frame = crashSite(event);
  if (!frame) return '';
  return `${frame.function ?? '<anonymous>'} (${frame.file ?? frame.module ?? '?'}${frame.line != null ? `:${frame.line}` : ''})`;
}

/** Event order: by timestamp, then id, so a batch sorts the same way on every replay. */
export function byTimeThenId(a: Pick<CrashEvent, 'timestamp' | 'id'>, b: Pick<CrashEvent, 'timestamp' | 'id'>): number {
  return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
