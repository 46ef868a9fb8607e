import { z } from 'zod';

/** What the gateway publishes: one report as received, before any parsing. */
export const RAW_REPORT_KINDS = ['sentry_event', 'native_event', 'log_text'] as const;
export const RawReport = z.object({
  reportId: z.string(),
  project: z.string().min(1),
  kind: z.enum(RAW_REPORT_KINDS),
  receivedAt: z.string(),
  /** File or endpoint name, used in text record ids (`<source>:<line>`). */
  sourceName: z.string(),
  /** The report body: an event's JSON text, or plain text for logs. */
  payload: z.string(),
  clientIp: z.string().nullable().optional(),
  sdk: z.string().nullable().optional(),
});
export type RawReport = z.infer<typeof RawReport>;

/** Why a message went to the dead-letter topic. A fixed list: it is a metric label. */
export const DEAD_LETTER_REASONS = [
  'invalid_envelope', // not a message of the topic's schema
  'invalid_json',
  'invalid_utf8',
  'unsupported_format',
  'no_records', // parsed, but nothing in it was a crash report
  'too_large',
  'too_deep',
  'too_many_frames',
  'processing_failed', // a permanent failure in our own code, kept for replay after a fix
] as const;
export const DeadLetterReason = z.enum(DEAD_LETTER_REASONS);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

export const DeadLetter = z.object({
  reason: DeadLetterReason,
  detail: z.string(),
  sourceTopic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  failedAt: z.string(),
  consumer: z.string(),
  /** The original message value, base64, so nothing is lost. */
  originalBase64: z.string(),
  originalKey: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const SIGNAL_KINDS = ['issue.new', 'cluster.new', 'spike', 'regression'] as const;
export const SignalKind = z.enum(SIGNAL_KINDS);
export type SignalKind = z.infer<typeof SignalKind>;

export const Signal = z.object({
  /** Deterministic id, so a replayed signal is recognisably the same one. */
  id: z.string(),
  kind: SignalKind,
  project: z.string(),
  fingerprint: z.string().nullable(),
  clusterId: z.string().nullable(),
  at: z.string(),
  release: z.string().nullable(),
  deployId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type Signal = z.infer<typeof Signal>;

export const Deploy = z.object({
  project: z.string().min(1),
  release: z.string().min(1).max(200),
  environment: z.string().min(1).max(100).default('production'),
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/i).nullable().default(null),
  previousSha: z.string().regex(/^[0-9a-f]{7,40}$/i).nullable().default(null),
  deployedAt: z.string().datetime({ offset: true }),
  changedFiles: z.array(z.string()).default([]),
});
export type Deploy = z.infer<typeof Deploy>;

export const AnalysisRequest = z.object({
  project: z.string(),
  clusterId: z.string(),
  reason: z.enum(['signal', 'api']),
  signalId: z.string().nullable(),
  requestedAt: z.string(),
});
export type AnalysisRequest = z.infer<typeof AnalysisRequest>;
