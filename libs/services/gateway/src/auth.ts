import { createHash, timingSafeEqual } from 'node:crypto';

/** Where a request's public key came from; kept for logs and debugging, never for decisions. */
export type KeySource = 'x-sentry-auth' | 'authorization' | 'x-faultline-key' | 'query' | 'envelope-dsn';

export interface Credentials {
  publicKey: string;
  source: KeySource;
  /** The SDK name/version from `sentry_client`, when the client said. */
  client: string | null;
}

export type HeaderBag = Record<string, string | string[] | undefined>;
export type QueryBag = Record<string, unknown>;

/**
 * Parses `Sentry sentry_key=…, sentry_version=7, sentry_client=…` (the `Sentry ` prefix is
 * optional; values may be quoted). Unknown fields are kept; keys are lower-cased.
 */
export function parseSentryAuth(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const text = value.trim().replace(/^sentry\s+/i, '');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let val = part.slice(eq + 1).trim();
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    if (key) fields[key] = val;
  }
  return fields;
}

/** The public key (user part) of a DSN such as `https://<key>@host/42`, or null. */
export function keyFromDsn(dsn: string): string | null {
  try {
    const key = decodeURIComponent(new URL(dsn.trim()).username);
    return key === '' ? null : key;
  } catch {
    return null;
  }
}

/**
 * Credentials of a Sentry SDK request, in Relay's order: `X-Sentry-Auth`, then `Authorization`
 * (`Sentry …`, `DSN <dsn>` or `Bearer <key>`), then the `sentry_key` query parameter.
 */
export function sentryCredentials(headers: HeaderBag, query: QueryBag): Credentials | null {
  const sentryAuth = header(headers, 'x-sentry-auth');
  if (sentryAuth) {
    const fields = parseSentryAuth(sentryAuth);
    if (fields['sentry_key']) return { publicKey: fields['sentry_key'], source: 'x-sentry-auth', client: fields['sentry_client'] ?? null };
  }
  const fromAuthorization = authorizationKey(headers);
  if (fromAuthorization) return fromAuthorization;
  return queryCredentials(query);
}

/** Credentials of a native API request: `Authorization: Bearer <key>`, `X-Faultline-Key`, or `?sentry_key=`. */
export function nativeCredentials(headers: HeaderBag, query: QueryBag): Credentials | null {
  const authorization = header(headers, 'authorization');
  const bearer = authorization ? /^bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (bearer) return { publicKey: bearer[1], source: 'authorization', client: null };
  const explicit = header(headers, 'x-faultline-key')?.trim();
  if (explicit) return { publicKey: explicit, source: 'x-faultline-key', client: null };
  return queryCredentials(query);
}

/**
 * Compares two secrets in time independent of where they differ. Both sides are hashed
 * first, so the comparison is also independent of their lengths.
 */
export function keysEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function authorizationKey(headers: HeaderBag): Credentials | null {
  const value = header(headers, 'authorization')?.trim();
  if (!value) return null;
  const space = value.indexOf(' ');
  if (space <= 0) return null;
  const scheme = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  switch (scheme) {
    case 'sentry': {
      const fields = parseSentryAuth(rest);
      return fields['sentry_key'] ? { publicKey: fields['sentry_key'], source: 'authorization', client: fields['sentry_client'] ?? null } : null;
    }
    case 'dsn': {
      const key = keyFromDsn(rest);
      return key ? { publicKey: key, source: 'authorization', client: null } : null;
    }
    case 'bearer':
      return rest ? { publicKey: rest, source: 'authorization', client: null } : null;
    default:
      return null;
  }
}

function queryCredentials(query: QueryBag): Credentials | null {
  const key = first(query['sentry_key']);
  if (!key) return null;
  return { publicKey: key, source: 'query', client: first(query['sentry_client']) };
}

export function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function first(value: unknown): string | null {
  const v = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof v === 'string' && v !== '' ? v : null;
}
