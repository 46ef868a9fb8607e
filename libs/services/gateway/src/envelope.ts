/**
 * The Sentry envelope format, parsed without I/O: a JSON header line, then items, each an
 * item-header line and a payload. A payload is exactly `length` bytes when the item header
 * gives one (so it may hold newlines or binary data), else it runs to the next newline.
 * See https://develop.sentry.dev/sdk/data-model/envelopes/
 */

export interface EnvelopeItem {
  type: string;
  header: Record<string, unknown>;
  /** The payload bytes as sent: a view into the body, never decoded. */
  payload: Buffer;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export type EnvelopeParseResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export function parseEnvelope(body: Buffer): EnvelopeParseResult {
  const firstNewline = body.indexOf(NEWLINE);
  const headerEnd = firstNewline === -1 ? body.length : firstNewline;
  const header = jsonObject(body.subarray(0, headerEnd));
  if (!header) return { ok: false, reason: 'the envelope header (first line) is not a JSON object' };

  const items: EnvelopeItem[] = [];
  let pos = firstNewline === -1 ? body.length : firstNewline + 1;
  while (pos < body.length) {
    // Blank lines between items carry nothing; some SDKs and proxies add them.
    if (body[pos] === NEWLINE) {
      pos += 1;
      continue;
    }
    if (body[pos] === CARRIAGE_RETURN && body[pos + 1] === NEWLINE) {
      pos += 2;
      continue;
    }
    const index = items.length;
    const lineEnd = body.indexOf(NEWLINE, pos);
    const itemHeaderEnd = lineEnd === -1 ? body.length : lineEnd;
    const itemHeader = jsonObject(body.subarray(pos, itemHeaderEnd));
    if (!itemHeader) return { ok: false, reason: `item ${index}: the item header is not a JSON object` };
    const type = itemHeader['type'];
    if (typeof type !== 'string' || type === '') return { ok: false, reason: `item ${index}: the item header has no type` };
    pos = lineEnd === -1 ? body.length : lineEnd + 1;

    const length = itemHeader['length'];
    let payload: Buffer;
    if (length === undefined || length === null) {
      const payloadEnd = body.indexOf(NEWLINE, pos);
      payload = body.subarray(pos, payloadEnd === -1 ? body.length : payloadEnd);
      pos = payloadEnd === -1 ? body.length : payloadEnd + 1;
    } else {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        return { ok: false, reason: `item ${index} (${type}): length must be a non-negative integer` };
      }
      if (pos + length > body.length) {
        return { ok: false, reason: `item ${index} (${type}): declares ${length} bytes but only ${body.length - pos} remain` };
      }
      payload = body.subarray(pos, pos + length);
      pos += length;
      if (pos < body.length) {
        if (body[pos] === NEWLINE) pos += 1;
        else if (body[pos] === CARRIAGE_RETURN && body[pos + 1] === NEWLINE) pos += 2;
        else return { ok: false, reason: `item ${index} (${type}): ${length} payload bytes are not followed by a newline` };
      }
    }
    items.push({ type, header: itemHeader, payload });
  }
  return { ok: true, envelope: { header, items } };
}

function jsonObject(line: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
