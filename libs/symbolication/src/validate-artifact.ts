import { createHash } from 'node:crypto';
import { type ArtifactKind, normalizeDebugId } from './artifact-store';
import { readMinifiedTail, readSourceMapJson, sourceMapDebugId } from './source-map';

export type ValidatedArtifact = {
  kind: ArtifactKind;
  /**
   * sourcemap: its `debug_id`/`debugId`; minified_source: its `//# debugId=` comment;
   * proguard: the mapping UUID Sentry tooling derives from the file's bytes (UUIDv5), which an
   * uploader may replace with the UUID its build assigned.
   */
  debugId: string | null;
  /** proguard only: R8's `pg_map_id` header. */
  mappingUuid?: string | null;
};

export type ValidationResult = { ok: true; value: ValidatedArtifact } | { ok: false; error: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks an upload before it is stored: the right kind of file, within the size limit. */
export function validateArtifact(kind: ArtifactKind, body: Uint8Array, maxBytes: number): ValidationResult {
  if (body.byteLength === 0) return { ok: false, error: `empty ${kind} upload` };
  if (body.byteLength > maxBytes) return { ok: false, error: `${kind} is ${body.byteLength} bytes, over the limit of ${maxBytes} bytes` };
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return { ok: false, error: `not a ${kind}: the file is not UTF-8 text` };
  }
  if (text.includes('\u0000')) return { ok: false, error: `not a ${kind}: the file is binary` };
  switch (kind) {
    case 'sourcemap': {
      const read = readSourceMapJson(text);
      if (!read.ok) return read;
      return { ok: true, value: { kind, debugId: normalizeDebugId(sourceMapDebugId(read.json)) } };
    }
    case 'minified_source': {
      const trimmed = text.trimStart();
      if (trimmed.startsWith('{') && readSourceMapJson(trimmed).ok) {
        return { ok: false, error: 'not a minified_source: this is a source map; upload it with kind sourcemap' };
      }
      return { ok: true, value: { kind, debugId: normalizeDebugId(readMinifiedTail(body).debugId) } };
    }
    case 'proguard':
      return validateProguard(text, body);
  }
}

const CLASS_LINE = /^\S+\s+->\s+\S+:\s*$/;
const MEMBER_LINE = /^\s+\S.*\s->\s+\S+\s*$/;

function validateProguard(text: string, body: Uint8Array): ValidationResult {
  let classes = 0;
  let mapId: string | null = null;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    if (line.trim() === '') continue;
    if (line.trimStart().startsWith('#')) {
      const id = /^#\s*pg_map_id\s*:\s*(\S+)/.exec(line);
      if (id !== null && classes === 0) mapId = id[1];
      continue;
    }
    if (CLASS_LINE.test(line)) {
      classes++;
      continue;
    }
    if (classes > 0 && MEMBER_LINE.test(line)) continue;
    const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    return { ok: false, error: `not a ProGuard/R8 mapping: line ${lineNo} is neither a class line (\`a.B -> c:\`) nor a member line: ${shown}` };
  }
  if (classes === 0) return { ok: false, error: 'not a ProGuard/R8 mapping: no class lines (`original.Class -> obf:`)' };
  return { ok: true, value: { kind: 'proguard', debugId: proguardUuid(body), mappingUuid: mapId } };
}

const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** Sentry's ProGuard namespace: UUIDv5(DNS, "guardsquare.com"); a mapping's UUID is UUIDv5(that, bytes). */
const PROGUARD_NAMESPACE = uuidV5(NAMESPACE_DNS, new TextEncoder().encode('guardsquare.com'));

export function proguardUuid(body: Uint8Array): string {
  return uuidV5(PROGUARD_NAMESPACE, body);
}

function uuidV5(namespace: string, name: Uint8Array): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
