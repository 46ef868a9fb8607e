import { primaryFrames, type CrashEvent } from '@faultline/schema';

/** ClickHouse DateTime64 text: `YYYY-MM-DD hh:mm:ss.sss` in UTC. */
export function toClickHouseTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Back from ClickHouse DateTime64 text to ISO-8601. */
export function fromClickHouseTime(value: string): string {
  return value.includes('T') ? new Date(value).toISOString() : new Date(value.replace(' ', 'T') + 'Z').toISOString();
}

export interface CrashEventRow {
  project: string;
  fingerprint: string;
  event_id: string;
  timestamp: string;
  received_at: string;
  platform: string;
  release: string;
  environment: string;
  severity: string;
  error_type: string;
  message: string;
  message_template: string;
  canonical_kind: string;
  user_id: string;
  region: string;
  transaction: string;
  server_name: string;
  os: string;
  device: string;
  browser: string;
  runtime: string;
  tags: Record<string, string>;
  crash_frame: string;
  fingerprint_parts: string[];
  source_kind: string;
  source_name: string;
  source_line: number;
  event_json: string;
}

function crashFrameOf(event: CrashEvent): string {
  const frames = primaryFrames(event);
  const frame = [...frames].reverse().find((f) => f.inApp) ?? frames.at(-1);
  if (!frame) return '';
  return `${frame.function ?? '?'} (${frame.file ?? frame.module ?? '?'}${frame.line != null ? `:${frame.line}` : ''})`;
}

export function toCrashEventRow(event: CrashEvent): CrashEventRow {
  return {
    project: event.project,
    fingerprint: event.fingerprint,
    event_id: event.id,
    timestamp: toClickHouseTime(event.timestamp),
    received_at: toClickHouseTime(event.receivedAt),
    platform: event.platform,
    release: event.release ?? '',
    environment: event.environment ?? '',
    severity: event.severity,
    error_type: event.errorType,
    message: event.message,
    message_template: event.messageTemplate,
    canonical_kind: event.canonicalKind,
    user_id: event.userId ?? '',
    region: event.region ?? '',
    transaction: event.transaction ?? '',
    server_name: event.serverName ?? '',
    os: event.contexts.os ?? '',
    device: event.contexts.device ?? '',
    browser: event.contexts.browser ?? '',
    runtime: event.contexts.runtime ?? '',
    tags: event.tags,
    crash_frame: crashFrameOf(event),
    fingerprint_parts: event.fingerprintParts,
    source_kind: event.source.kind,
    source_name: event.source.name,
    source_line: event.source.line ?? -1,
    event_json: JSON.stringify(event),
  };
}
