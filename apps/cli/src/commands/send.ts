import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { collectInputFiles } from '@faultline/pipeline';
import { EXIT, UsageError } from '../usage';

interface Target {
  origin: string;
  project: string;
  key: string;
}

/** `http://<key>@host:port/<project>` → where and as whom to send. */
export function parseDsn(dsn: string): Target {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new UsageError(`--dsn is not a URL: ${dsn}`);
  }
  const project = url.pathname.split('/').filter(Boolean).at(-1);
  if (!url.username || !project) throw new UsageError('--dsn looks like http://<public key>@<host>:<port>/<project>');
  return { origin: `${url.protocol}//${url.host}`, project, key: decodeURIComponent(url.username) };
}

const EVENTS_PER_REQUEST = 200;

/**
 * `faultline send`: streams crash files into a running gateway. Sentry-shaped events go through
 * the envelope endpoint, other JSON events through the native one, text through /logs.
 */
export async function runSend(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { dsn: { type: 'string' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (!values.dsn) throw new UsageError('send needs --dsn (faultline stack prints it)');
  if (positionals.length === 0) throw new UsageError('send needs at least one file or folder');
  const target = parseDsn(values.dsn);
  let sent = 0;
  const failures: string[] = [];
  for (const file of collectInputFiles(positionals)) {
    const text = readFileSync(file.path, 'utf8');
    const events = jsonEvents(text);
    try {
      if (events === null) {
        await post(target, `/api/v1/projects/${target.project}/logs`, text, { 'content-type': 'text/plain', 'x-faultline-source': file.name });
        sent += 1;
        continue;
      }
      const sentry = events.filter(isSentryEvent);
      const native = events.filter((e) => !isSentryEvent(e));
      for (let i = 0; i < sentry.length; i += EVENTS_PER_REQUEST) {
        await post(target, `/api/${target.project}/envelope/`, envelope(sentry.slice(i, i + EVENTS_PER_REQUEST)), { 'content-type': 'application/x-sentry-envelope' });
      }
      for (let i = 0; i < native.length; i += EVENTS_PER_REQUEST) {
        await post(target, `/api/v1/projects/${target.project}/events`, JSON.stringify(native.slice(i, i + EVENTS_PER_REQUEST)), { 'content-type': 'application/json' });
      }
      sent += events.length;
    } catch (error) {
      failures.push(`${file.name}: ${(error as Error).message}`);
    }
  }
  process.stdout.write(`sent ${sent} report(s) to ${target.origin} (project ${target.project})\n`);
  for (const failure of failures) process.stderr.write(`failed: ${failure}\n`);
  return failures.length === 0 ? EXIT.ok : EXIT.failure;
}

/** The events of a JSON array, a single JSON object or NDJSON; null when the file is not JSON (text). */
function jsonEvents(text: string): Record<string, unknown>[] | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    const list = Array.isArray(value) ? value : [value];
    return list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  } catch {
    const lines = trimmed.split('\n').filter((l) => l.trim() !== '');
    try {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      // Not JSON after all (or broken JSON): the gateway's text endpoint keeps it, and the normalizer says why.
      return null;
    }
  }
}

function isSentryEvent(event: Record<string, unknown>): boolean {
  return typeof event.event_id === 'string' || (typeof event.exception === 'object' && event.exception !== null && 'values' in event.exception);
}

function envelope(events: Record<string, unknown>[]): string {
  const parts = [JSON.stringify({ sent_at: new Date().toISOString() })];
  for (const event of events) {
    const payload = JSON.stringify(event);
    parts.push(JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) }), payload);
  }
  return parts.join('\n') + '\n';
}

async function post(target: Target, path: string, body: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${target.origin}${path}`, {
    method: 'POST',
    body,
    headers: { ...headers, 'x-sentry-auth': `Sentry sentry_key=${target.key}, sentry_version=7, sentry_client=faultline-cli/0.1`, 'x-faultline-key': target.key },
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
}
