/**
 * Splits a native events body into one JSON text per event, without I/O. Accepted shapes:
 *   - a JSON array of events (each element's text is kept verbatim, not re-serialized);
 *   - one JSON object;
 *   - NDJSON: one event per non-blank line.
 * The gateway splits, it does not validate events: an NDJSON line that is not JSON is still
 * a unit and is forwarded (the normalizer dead-letters it with a reason). Only a body whose
 * framing is broken (it starts like an array but is not one) is refused.
 */

export interface NativeEventText {
  text: string;
  /** The event's own `id` (a string or a number), when it has one. */
  id: string | null;
}

export type NativeSplitResult = { ok: true; events: NativeEventText[] } | { ok: false; reason: string };

export function splitNativeEvents(body: string): NativeSplitResult {
  const text = body.trim();
  if (text === '') return { ok: true, events: [] };
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { ok: false, reason: `the body starts with "[" but is not a JSON array: ${(error as Error).message}` };
    }
    if (!Array.isArray(parsed)) return { ok: false, reason: 'the body is not a JSON array' };
    const slices = arrayElementTexts(text);
    return { ok: true, events: parsed.map((value: unknown, i) => ({ text: slices[i], id: idOf(value) })) };
  }
  if (text.startsWith('{')) {
    // One (maybe pretty-printed) object; NDJSON otherwise.
    try {
      const value: unknown = JSON.parse(text);
      return { ok: true, events: [{ text, id: idOf(value) }] };
    } catch {
      // Not a single object: read it as NDJSON below.
    }
  }
  const events: NativeEventText[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    let id: string | null = null;
    try {
      id = idOf(JSON.parse(line));
    } catch {
      // Forwarded as is: the normalizer dead-letters it as invalid_json, with the bytes.
    }
    events.push({ text: line, id });
  }
  return { ok: true, events };
}

function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as Record<string, unknown>)['id'];
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

/**
 * The source text of each top-level element of a JSON array already known to be valid.
 * A scan that tracks nesting depth and strings is enough: validity was checked by JSON.parse.
 */
function arrayElementTexts(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    switch (c) {
      case 0x22:
        inString = true;
        if (depth === 1 && start === -1) start = i;
        break;
      case 0x5b /* [ */:
      case 0x7b /* { */:
        if (depth === 1 && start === -1) start = i;
        depth += 1;
        break;
      case 0x5d /* ] */:
      case 0x7d /* } */:
        depth -= 1;
        if (depth === 0 && start !== -1) out.push(text.slice(start, i).trim());
        break;
      case 0x2c /* , */:
        if (depth === 1) {
          out.push(text.slice(start, i).trim());
          start = -1;
        }
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        break;
      default:
        if (depth === 1 && start === -1) start = i;
    }
  }
  return out;
}
