import { AnyMap, TraceMap, decodedMappings } from '@jridgewell/trace-mapping';
import { ScopeIndex } from './js-scopes';

const utf8 = new TextDecoder('utf-8');
/** The characters a VLQ `mappings` string may contain: trace-mapping decodes anything else as zeros, silently. */
const MAPPINGS_CHARSET = /^[A-Za-z0-9+/,;]*$/;

export type SourceMapLookup =
  | {
      status: 'ok';
      sourceIndex: number;
      /** 1-based. */
      line: number;
      /** 1-based, like the columns in stack traces. */
      column: number;
      /** The `names` entry of the segment, when it starts exactly at the looked-up column. */
      name: string | null;
    }
  | { status: 'out_of_range' }
  | { status: 'malformed'; error: string };

export type ParseSourceMapResult = { ok: true; map: ParsedSourceMap } | { ok: false; error: string };

/** A source map's JSON, shape-checked (enough to refuse what is not a v3 source map). */
export interface SourceMapJson {
  version: 3;
  sources?: Array<string | null>;
  sourcesContent?: Array<string | null>;
  names?: string[];
  mappings?: string;
  sourceRoot?: string;
  sections?: unknown[];
  debug_id?: string;
  debugId?: string;
}

/** Parses the JSON of a source map and checks its shape; decoding `mappings` waits for the first lookup. */
export function readSourceMapJson(text: string): { ok: true; json: SourceMapJson } | { ok: false; error: string } {
  // The spec allows an XSSI-protection prefix line.
  const body = text.startsWith(")]}'") ? text.slice(text.indexOf('\n') + 1) : text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `not a source map: invalid JSON (${(error as Error).message})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'not a source map: the JSON is not an object' };
  const map = json as Record<string, unknown>;
  if (map.version !== 3) return { ok: false, error: `not a source map: version ${JSON.stringify(map.version)} (only version 3 is supported)` };
  if (Array.isArray(map.sections)) {
    for (const section of map.sections) {
      const s = section as Record<string, unknown> | null;
      if (typeof s !== 'object' || s === null || typeof s.offset !== 'object') return { ok: false, error: 'not a source map: a section has no offset' };
      if (typeof s.map !== 'object' || s.map === null) return { ok: false, error: 'not a source map: sections that point at a url are not supported; inline the map' };
      const inner = readSourceMapJson(JSON.stringify(s.map));
      if (!inner.ok) return inner;
    }
    return { ok: true, json: map as unknown as SourceMapJson };
  }
  if (typeof map.mappings !== 'string') return { ok: false, error: 'not a source map: `mappings` is missing or not a string' };
  if (!Array.isArray(map.sources) || !map.sources.every((s) => typeof s === 'string' || s === null)) {
    return { ok: false, error: 'not a source map: `sources` is missing or not a list of strings' };
  }
  if (map.names !== undefined && (!Array.isArray(map.names) || !map.names.every((n) => typeof n === 'string'))) {
    return { ok: false, error: 'not a source map: `names` is not a list of strings' };
  }
  if (map.sourcesContent !== undefined && map.sourcesContent !== null && !Array.isArray(map.sourcesContent)) {
    return { ok: false, error: 'not a source map: `sourcesContent` is not a list' };
  }
  if (!MAPPINGS_CHARSET.test(map.mappings)) return { ok: false, error: 'not a source map: `mappings` holds characters outside base64 VLQ' };
  return { ok: true, json: map as unknown as SourceMapJson };
}

export function sourceMapDebugId(json: SourceMapJson): string | null {
  const id = json.debug_id ?? json.debugId;
  return typeof id === 'string' && id.trim() !== '' ? id : null;
}

export function parseSourceMap(input: Uint8Array | string): ParseSourceMapResult {
  const text = typeof input === 'string' ? input : utf8.decode(input);
  const read = readSourceMapJson(text);
  if (!read.ok) return read;
  try {
    const trace = read.json.sections !== undefined ? AnyMap(read.json as never) : new TraceMap(read.json as never);
    return { ok: true, map: new ParsedSourceMap(trace) };
  } catch (error) {
    return { ok: false, error: `not a source map: ${(error as Error).message}` };
  }
}

/**
 * Every segment of the map, packed: `columns[k]` is segment k's generated column; `data[4k..4k+3]`
 * its source index, original line, original column and name index (-1: none); the segments of
 * generated line l are `lineStart[l]` to `lineStart[l + 1]`.
 */
interface SegmentIndex {
  lineStart: Int32Array;
  columns: Int32Array;
  data: Int32Array;
}
/** Long lines (a minified bundle is often one line of 10^5+ segments) also get a coarse index of every BLOCK-th column. */
const BLOCK = 16;
const NO_SOURCE = -1;
const BAD_SEGMENT = -2;

interface SourceInfo {
  path: string;
  inApp: boolean;
  lines: string[] | null;
  lineStarts: number[] | null;
  scopes: ScopeIndex | null;
  contexts: Map<number, SourceContext>;
  contextAround: number;
}

export interface SourceContext {
  contextLine: string;
  preContext: string[];
  postContext: string[];
}

/** A parsed source map plus what lookups derive from it (normalized paths, split source lines, scopes), computed once. */
export class ParsedSourceMap {
  readonly sources: ReadonlyArray<string | null>;
  readonly names: readonly string[];
  readonly sourcesContent: ReadonlyArray<string | null> | undefined;
  readonly sourceRoot: string | undefined;
  /** Held only until the first lookup has packed its mappings. */
  private trace: TraceMap | null;
  private index: SegmentIndex | null = null;
  private readonly coarse = new Map<number, Int32Array>();
  private readonly sourceInfo: Array<SourceInfo | undefined> = [];
  private decodeError: string | null = null;

  constructor(trace: TraceMap) {
    this.trace = trace;
    this.sources = trace.sources;
    this.names = trace.names;
    this.sourcesContent = trace.sourcesContent ?? undefined;
    this.sourceRoot = trace.sourceRoot;
  }

  /** `line` and `column` as stack traces give them: both 1-based. */
  lookup(line: number, column: number): SourceMapLookup {
    const index = this.index ?? this.buildIndex();
    if (index === null) return { status: 'malformed', error: this.decodeError ?? 'mappings could not be decoded' };
    const { lineStart, columns, data } = index;
    if (line < 1 || line >= lineStart.length) return { status: 'out_of_range' };
    const first = lineStart[line - 1];
    const end = lineStart[line];
    if (first === end) return { status: 'out_of_range' };
    const col = Math.max(column - 1, 0);

    // The last segment starting at or before `col`, the first of equal ones (as trace-mapping picks).
    let lo = first;
    let hi = end - 1;
    if (end - first > BLOCK * 4) {
      const coarse = this.coarseIndex(line - 1, first, end, columns);
      let clo = 0;
      let chi = coarse.length - 1;
      while (clo <= chi) {
        const mid = (clo + chi) >> 1;
        if (coarse[mid] <= col) clo = mid + 1;
        else chi = mid - 1;
      }
      if (chi < 0) return { status: 'out_of_range' };
      lo = first + chi * BLOCK;
      hi = Math.min(lo + BLOCK, end) - 1;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (columns[mid] <= col) lo = mid + 1;
      else hi = mid - 1;
    }
    while (hi > first && columns[hi - 1] === columns[hi]) hi--;
    if (hi < first) return { status: 'out_of_range' };

    const at = hi * 4;
    const sourceIndex = data[at];
    if (sourceIndex === NO_SOURCE) return { status: 'out_of_range' };
    const origLine = data[at + 1];
    const origColumn = data[at + 2];
    if (sourceIndex < 0 || sourceIndex >= this.sources.length || origLine < 0 || origColumn < 0) {
      return { status: 'malformed', error: 'a mapping segment points outside `sources` or has the wrong number of fields' };
    }
    let name: string | null = null;
    const nameIndex = data[at + 3];
    if (nameIndex >= 0 && columns[hi] === col) {
      name = this.names[nameIndex] ?? null;
      if (name === null) return { status: 'malformed', error: 'a mapping segment points outside `names`' };
    }
    return { status: 'ok', sourceIndex, line: origLine + 1, column: origColumn + 1, name };
  }

  /**
   * Decodes the mappings (trace-mapping does it lazily, on this first use) and packs them into typed
   * arrays. trace-mapping's decoded form (one small array per segment) is then let go: binary search
   * over packed columns is faster, and the map retains about its own size instead of several times it.
   */
  private buildIndex(): SegmentIndex | null {
    if (this.trace === null) return null;
    let decoded: ReturnType<typeof decodedMappings>;
    try {
      decoded = decodedMappings(this.trace);
    } catch (error) {
      // A broken map shows up here, not at construction.
      this.decodeError = `mappings could not be decoded: ${(error as Error).message}`;
      this.trace = null;
      return null;
    }
    let total = 0;
    for (const segments of decoded) total += segments.length;
    const lineStart = new Int32Array(decoded.length + 1);
    const columns = new Int32Array(total);
    const data = new Int32Array(total * 4);
    let k = 0;
    for (let line = 0; line < decoded.length; line++) {
      lineStart[line] = k;
      for (const segment of decoded[line]) {
        columns[k] = segment[0];
        const at = k * 4;
        if (segment.length === 1) {
          data[at] = NO_SOURCE;
        } else if (segment.length === 4 || segment.length === 5) {
          data[at] = segment[1];
          data[at + 1] = segment[2];
          data[at + 2] = segment[3];
          data[at + 3] = segment.length === 5 ? segment[4] : -1;
        } else {
          data[at] = BAD_SEGMENT;
        }
        k++;
      }
    }
    lineStart[decoded.length] = k;
    this.index = { lineStart, columns, data };
    this.trace = null;
    return this.index;
  }

  private coarseIndex(line: number, first: number, end: number, columns: Int32Array): Int32Array {
    let coarse = this.coarse.get(line);
    if (coarse === undefined) {
      coarse = new Int32Array(Math.ceil((end - first) / BLOCK));
      for (let b = 0; b < coarse.length; b++) coarse[b] = columns[first + b * BLOCK];
      this.coarse.set(line, coarse);
    }
    return coarse;
  }

  /** The original file, normalized for display and grouping. */
  sourcePath(sourceIndex: number): string {
    return this.info(sourceIndex).path;
  }

  sourceInApp(sourceIndex: number): boolean {
    return this.info(sourceIndex).inApp;
  }

  /**
   * Context around a 1-based line, from `sourcesContent`; null when the map carries no source.
   * Memoized per line: crash streams hit the same lines again and again, and frames only read it.
   */
  context(sourceIndex: number, line: number, around: number): SourceContext | null {
    const lines = this.lines(sourceIndex);
    if (lines === null || line < 1 || line > lines.length) return null;
    const info = this.info(sourceIndex);
    if (info.contextAround !== around) {
      info.contexts = new Map();
      info.contextAround = around;
    }
    let context = info.contexts.get(line);
    if (context === undefined) {
      const index = line - 1;
      context = {
        contextLine: lines[index],
        // Shared by every frame on this line: frozen, so a consumer cannot change them for the others.
        preContext: Object.freeze(lines.slice(Math.max(0, index - around), index)) as string[],
        postContext: Object.freeze(lines.slice(index + 1, index + 1 + around)) as string[],
      };
      info.contexts.set(line, context);
    }
    return context;
  }

  /** The name of the function enclosing an original position, read from `sourcesContent`. */
  enclosingFunction(sourceIndex: number, line: number, column: number): string | null {
    const content = this.sourcesContent?.[sourceIndex];
    if (typeof content !== 'string') return null;
    const info = this.info(sourceIndex);
    if (info.lineStarts === null) {
      const starts = [0];
      for (let k = 0; k < content.length; k++) {
        const c = content.charCodeAt(k);
        if (c === 10 || (c === 13 && content.charCodeAt(k + 1) !== 10)) starts.push(k + 1);
      }
      info.lineStarts = starts;
    }
    if (line < 1 || line > info.lineStarts.length) return null;
    if (info.scopes === null) {
      try {
        info.scopes = new ScopeIndex(content);
      } catch {
        // A naming heuristic must never fail the event: without scopes, frames keep other names.
        info.scopes = new ScopeIndex('');
      }
    }
    return info.scopes.nameAt(info.lineStarts[line - 1] + Math.max(column - 1, 0));
  }

  /** Display lines, already trimmed, computed once per source. */
  private lines(sourceIndex: number): string[] | null {
    const info = this.info(sourceIndex);
    if (info.lines === null) {
      const content = this.sourcesContent?.[sourceIndex];
      if (typeof content !== 'string') return null;
      info.lines = content.split(/\r\n|\r|\n/).map(trimLine);
    }
    return info.lines;
  }

  private info(sourceIndex: number): SourceInfo {
    let info = this.sourceInfo[sourceIndex];
    if (info === undefined) {
      const path = normalizeSourcePath(this.sources[sourceIndex] ?? '', this.sourceRoot);
      info = { path, inApp: !/(^|\/)node_modules\//.test(path) && !path.startsWith('webpack/'), lines: null, lineStarts: null, scopes: null, contexts: new Map(), contextAround: -1 };
      this.sourceInfo[sourceIndex] = info;
    }
    return info;
  }
}

const MAX_CONTEXT_LINE = 1000;

function trimLine(line: string): string {
  return line.length > MAX_CONTEXT_LINE ? `${line.slice(0, MAX_CONTEXT_LINE)}…` : line;
}

/**
 * A source path as people read it: `webpack://app/./src/x.ts?3f2a` → `src/x.ts`,
 * `../../src/x.ts` → `src/x.ts`, `file:///home/me/app/x.ts` → `/home/me/app/x.ts`.
 * http(s) URLs stay URLs.
 */
export function normalizeSourcePath(source: string, sourceRoot?: string | null): string {
  let path = source;
  if (sourceRoot && !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.startsWith('/')) {
    path = `${sourceRoot.replace(/\/+$/, '')}/${path}`;
  }
  if (/^https?:\/\//i.test(path)) return path;
  let absolute = false;
  const bundler = /^(?:webpack(?:-internal)?|turbopack|rollup|vite|ng|app):\/\/\/?(.*)$/i.exec(path);
  if (bundler) {
    // The segment before `/./` is webpack's namespace (the package name): noise.
    path = bundler[1].replace(/^[^/]*\/\.\//, '');
  } else if (/^file:\/\//i.test(path)) {
    path = path.replace(/^file:\/\//i, '');
    absolute = true;
  } else {
    absolute = path.startsWith('/');
  }
  path = path.replace(/\?.*$/, '');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      // `..` above the bundle's root cannot be resolved, and says nothing about the file: dropped.
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined;
}

/** What the end of a minified file says about its map: `//# sourceMappingURL=` and `//# debugId=`. */
export function readMinifiedTail(body: Uint8Array): { sourceMappingUrl: string | null; debugId: string | null } {
  // Both comments sit at the end; decoding only the tail keeps a 10 MB bundle cheap.
  const tail = utf8.decode(body.subarray(Math.max(0, body.byteLength - 64 * 1024)));
  let sourceMappingUrl: string | null = null;
  let debugId: string | null = null;
  for (const match of tail.matchAll(/\/\/[#@][ \t]+(sourceMappingURL|debugId)[ \t]*=[ \t]*(\S+)/g)) {
    if (match[1] === 'sourceMappingURL') sourceMappingUrl = match[2];
    else debugId = match[2];
  }
  return { sourceMappingUrl, debugId };
}

/** The map inside a `data:application/json;base64,…` URL. */
export function decodeDataUrl(url: string): Uint8Array | null {
  const match = /^data:[^,]*?(;base64)?,(.*)$/s.exec(url);
  if (match === null) return null;
  return match[1] ? new Uint8Array(Buffer.from(match[2], 'base64')) : new TextEncoder().encode(decodeURIComponent(match[2]));
}
