import { describeCrashSite, type CrashEvent } from '@faultline/schema';

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ClickHouse DateTime64 text: `YYYY-MM-DD hh:mm:ss.sss` in UTC. */
export function toClickHouseTime(iso: string | Date): string {
  // Normalized events carry canonical ISO-8601 (UTC, milliseconds): no Date round trip needed.
  if (typeof iso === 'string' && CANONICAL_ISO.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
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
  /** 1 when the full payload is in event_samples. */
  payload_kept: 0 | 1;
}

export interface EventSampleRow {
  project: string;
  fingerprint: string;
  event_id: string;
  timestamp: string;
  event_json: string;
}

export function toCrashEventRow(event: CrashEvent, payloadKept: boolean): CrashEventRow {
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
    crash_frame: describeCrashSite(event),
    fingerprint_parts: event.fingerprintParts,
    source_kind: event.source.kind,
    source_name: event.source.name,
    source_line: event.source.line ?? -1,
    payload_kept: payloadKept ? 1 : 0,
  };
}

export function toEventSampleRow(event: CrashEvent): EventSampleRow {
  return {
    project: event.project,
    fingerprint: event.fingerprint,
    event_id: event.id,
    timestamp: toClickHouseTime(event.timestamp),
    event_json: JSON.stringify(event),
  };
}

/** A deploy marker as the `deploys` table stores it (missing shas are empty strings). */
export function toDeployRow(deploy: {
  id: string;
  project: string;
  environment: string;
  release: string;
  commitSha: string | null;
  previousSha: string | null;
  deployedAt: string;
  changedFiles: string[];
}): Record<string, unknown> {
  return {
    id: deploy.id,
    project: deploy.project,
    environment: deploy.environment,
    release: deploy.release,
    commit_sha: deploy.commitSha ?? '',
    previous_sha: deploy.previousSha ?? '',
    deployed_at: toClickHouseTime(deploy.deployedAt),
    changed_files: deploy.changedFiles,
  };
}
