import { createHash } from 'node:crypto';

/** Bounds for the strings we store; inputs are hostile, so every field has one. */
export const MAX_MESSAGE_CHARS = 8192;
export const MAX_NAME_CHARS = 1024;
export const MAX_CONTEXT_CHARS = 512;
export const MAX_CONTEXT_LINES = 10;
export const MAX_TAGS = 100;
export const MAX_TAG_KEY_CHARS = 64;
export const MAX_TAG_VALUE_CHARS = 256;
export const MAX_CHAIN = 32;
export const MAX_DEBUG_IMAGES = 256;

export function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** A string field from untrusted JSON: strings as they are, numbers and booleans as text, anything else null. */
export function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}

/** A non-empty trimmed string, or null. */
export function text(value: unknown, max = MAX_NAME_CHARS): string | null {
  const s = str(value);
  if (s === null) return null;
  const t = s.trim();
  return t.length === 0 ? null : clip(t, max);
}

export function int(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) n = Number(value);
  else return null;
  if (!Number.isFinite(n) || n < 0 || n > 2_147_483_647) return null;
  return Math.trunc(n);
}

export function obj(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function arr(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/** sha256 hex, truncated: ids derived from content are stable across retries and replays. */
export function contentId(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 32);
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}

const ISO_RE = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC_RE = /^-?\d{1,16}(?:\.\d{1,9})?$/;

function isoFromMs(ms: number): string | null {
  // Year 1970 to 9999: anything else is a broken clock or a hostile value.
  if (!Number.isFinite(ms) || ms < 0 || ms > 253_402_300_799_999) return null;
  return new Date(ms).toISOString();
}

/**
 * ISO-8601 UTC with milliseconds from an RFC 3339 string (a missing zone means UTC),
 * epoch seconds, or epoch milliseconds (numbers above 1e11 are taken as milliseconds).
 */
export function toIsoTimestamp(value: unknown): string | null {
  if (typeof value === 'number') return isoFromMs(value > 1e11 ? value : value * 1000);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (NUMERIC_RE.test(s)) return toIsoTimestamp(Number(s));
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zoneRaw] = m;
  let zone = zoneRaw === undefined || /^(z|utc|gmt)$/i.test(zoneRaw) ? 'Z' : zoneRaw;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    zone = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2, 4) : '00'}`;
  }
  const ms = (frac + '000').slice(0, 3);
  const parsed = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}${zone}`);
  return Number.isNaN(parsed) ? null : isoFromMs(parsed);
}

/** True when the string holds a lone surrogate, which no UTF-8 byte sequence can produce. */
export function hasLoneSurrogate(s: string): boolean {
  return !(s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

export function basename(path: string): string {
  let end = path.length;
  const q = path.search(/[?#]/);
  if (q >= 0) end = q;
  const slash = Math.max(path.lastIndexOf('/', end - 1), path.lastIndexOf('\\', end - 1));
  return path.slice(slash + 1, end);
}
