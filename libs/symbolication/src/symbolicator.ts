import type { CrashEvent, ExceptionValue, Frame, Symbolication, UnresolvedReason } from '@faultline/schema';
import { type ArtifactStore, normalizeDebugId } from './artifact-store';
import { ByteLru } from './lru';
import { type ProguardMapping, parseProguardMapping } from './proguard';
import { type ParsedSourceMap, decodeDataUrl, parseSourceMap, readMinifiedTail } from './source-map';
import { type UrlRewrite, candidateNames, resolveMapUrl, urlPath } from './url-candidates';

export interface SymbolicatorOptions {
  /** Parsed maps and mappings kept in memory, bounded by their size in bytes (LRU). */
  cacheMaxBytes: number;
  /** e.g. `{from:'https://cdn.example.com/', to:'~/'}`: frames served from a CDN match artifacts uploaded as `~/…`. */
  urlPrefixRewrites: UrlRewrite[];
  /** Source lines kept before and after a resolved line. */
  contextLines: number;
  /**
   * How long "no artifact for this file" is remembered: a crash storm on a release without maps must
   * not probe the store for every event, and maps uploaded after the first crash still get picked up.
   */
  negativeCacheTtlMs: number;
  /** The clock for that memory (injected for tests). */
  now: () => number;
}

const DEFAULTS: SymbolicatorOptions = {
  cacheMaxBytes: 256 * 1024 * 1024,
  urlPrefixRewrites: [],
  contextLines: 5,
  negativeCacheTtlMs: 60_000,
  now: () => Date.now(),
};

/** Remembered file → artifact resolutions; beyond this many, the oldest are forgotten. */
const MAX_MEMO_ENTRIES = 50_000;

const JS_PLATFORMS = new Set(['javascript', 'node']);
const JVM_PLATFORMS = new Set(['java', 'android', 'kotlin']);
/** Platforms whose frames are never JVM frames, however short their module names. */
const NON_JVM_PLATFORMS = new Set(['javascript', 'node', 'python', 'go', 'native', 'cocoa', 'ruby', 'php', 'csharp', 'elixir', 'dart']);
const JS_FILE = /\.(?:m|c)?js(?:[?#].*)?$/i;

type Cached = { kind: 'sourcemap'; map: ParsedSourceMap } | { kind: 'proguard'; mapping: ProguardMapping } | { kind: 'malformed'; error: string };

/** How a source map was found, so a cached resolution can be fetched again after eviction. */
type MapFetch = { by: 'debugId'; debugId: string } | { by: 'name'; release: string | null; name: string } | { by: 'inline'; release: string | null; name: string };

type ProguardFetch = { by: 'uuid'; uuid: string } | { by: 'release'; release: string };

type MapResolution = { status: 'found'; map: ParsedSourceMap; artifact: string } | { status: 'malformed'; artifact: string } | { status: 'missing' };

type Memo = { status: 'found'; fetch: MapFetch; artifact: string } | { status: 'missing'; until: number };

interface EventContext {
  project: string;
  release: string | null;
  debugIdsByFile: Map<string, string>;
}

export class Symbolicator {
  private readonly options: SymbolicatorOptions;
  private readonly cache: ByteLru<Cached>;
  private readonly memo = new Map<string, Memo>();
  private readonly inflight = new Map<string, Promise<Cached | null>>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly store: ArtifactStore,
    options: Partial<SymbolicatorOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.cache = new ByteLru(this.options.cacheMaxBytes);
  }

  /**
   * Returns the event with minified JavaScript frames mapped through source maps and obfuscated JVM
   * frames through ProGuard/R8 mappings. Never fails on a bad or missing artifact: such frames keep
   * their values and say why in `symbolication`. A failing store (I/O) is thrown, to be retried.
   */
  async symbolicate(event: CrashEvent): Promise<CrashEvent> {
    const ctx: EventContext = { project: event.project, release: event.release, debugIdsByFile: debugIdsByFile(event) };
    const platform = event.platform.toLowerCase();
    const exceptions: ExceptionValue[] = [];
    let errorType = event.errorType;
    let proguard: { mappings: Array<{ mapping: ProguardMapping; artifact: string }>; malformed: boolean } | null = null;

    for (const exception of event.exceptions) {
      let frames = exception.frames;
      if (frames.some((f) => isJsFrame(f, platform))) frames = await this.symbolicateJs(frames, platform, ctx);
      let next: ExceptionValue = frames === exception.frames ? exception : { ...exception, frames };
      if (!NON_JVM_PLATFORMS.has(platform) && (JVM_PLATFORMS.has(platform) || frames.some((f) => looksObfuscated(jvmName(f)?.className ?? null)))) {
        proguard ??= await this.loadProguard(event);
        next = { ...next, frames: this.symbolicateJvm(next.frames, proguard.mappings, proguard.malformed) };
        const renamed = remapExceptionType(next, proguard.mappings);
        if (renamed !== null) {
          if (errorType === renamed.oldFull) errorType = renamed.newFull;
          else if (errorType === renamed.oldType) errorType = renamed.next.type;
          next = renamed.next;
        }
      }
      exceptions.push(next);
    }
    return { ...event, errorType, exceptions };
  }

  stats(): { cacheBytes: number; cacheEntries: number; hits: number; misses: number } {
    return { cacheBytes: this.cache.bytes, cacheEntries: this.cache.size, hits: this.hits, misses: this.misses };
  }

  // ---- JavaScript -------------------------------------------------------------------------

  private async symbolicateJs(frames: Frame[], platform: string, ctx: EventContext): Promise<Frame[]> {
    const isJs = frames.map((frame) => isJsFrame(frame, platform));
    const files = new Set<string>();
    frames.forEach((frame, k) => {
      if (isJs[k] && frame.line != null && frame.column != null && frame.file !== null) files.add(frame.file);
    });
    const resolutions = new Map<string, MapResolution>();
    await Promise.all([...files].map(async (file) => resolutions.set(file, await this.resolveFileMap(file, ctx))));
    // One verdict object per artifact and event: frames only read it.
    const verdicts = new Map<string, Symbolication>();

    const out: Frame[] = [];
    // The token at a call site names the function it calls: the next (newer) frame's function.
    let calleeName: string | null = null;
    for (let k = 0; k < frames.length; k++) {
      const frame = frames[k];
      const callerToken = calleeName;
      calleeName = null;
      if (!isJs[k]) {
        out.push(frame);
        continue;
      }
      if (frame.line == null || frame.column == null || frame.file === null) {
        out.push(unresolved(frame, 'no_position'));
        continue;
      }
      const resolution = resolutions.get(frame.file) ?? { status: 'missing' };
      if (resolution.status === 'missing') {
        out.push(unresolved(frame, 'no_artifact'));
        continue;
      }
      if (resolution.status === 'malformed') {
        out.push(unresolved(frame, 'malformed_map'));
        continue;
      }
      const { map } = resolution;
      const hit = map.lookup(frame.line, frame.column);
      if (hit.status !== 'ok') {
        out.push(unresolved(frame, hit.status === 'malformed' ? 'malformed_map' : 'out_of_range'));
        continue;
      }
      calleeName = hit.name;
      const context = this.options.contextLines > 0 ? map.context(hit.sourceIndex, hit.line, this.options.contextLines) : null;
      // Object literals of two fixed shapes (no spread, no delete, no added keys): this is the hot path.
      const fn = callerToken ?? map.enclosingFunction(hit.sourceIndex, hit.line, hit.column) ?? frame.function;
      const file = map.sourcePath(hit.sourceIndex);
      const inApp = map.sourceInApp(hit.sourceIndex);
      const symbolication = verdictFor(verdicts, resolution.artifact);
      const resolved: Frame =
        context === null
          ? { function: fn, module: frame.module, file, line: hit.line, column: hit.column, inApp, symbolication, original: originalOf(frame) }
          : {
              function: fn,
              module: frame.module,
              file,
              line: hit.line,
              column: hit.column,
              inApp,
              contextLine: context.contextLine,
              preContext: context.preContext,
              postContext: context.postContext,
              symbolication,
              original: originalOf(frame),
            };
      out.push(resolved);
    }
    return out;
  }

  /** Debug ID first, then the file's names (see `candidateNames`), each with the release and then without. */
  private async resolveFileMap(file: string, ctx: EventContext): Promise<MapResolution> {
    const debugId = lookupDebugId(ctx.debugIdsByFile, file);
    if (debugId !== null) {
      const cached = await this.loadMap(ctx.project, { by: 'debugId', debugId });
      if (cached !== null) return toResolution(cached, `debug-id:${debugId}`);
    }

    const memoKey = JSON.stringify(['js', ctx.project, ctx.release, file]);
    const memo = this.memo.get(memoKey);
    if (memo?.status === 'found') {
      const cached = await this.loadMap(ctx.project, memo.fetch);
      if (cached !== null) return toResolution(cached, memo.artifact);
    } else if (memo?.status === 'missing' && this.options.now() < memo.until) {
      return { status: 'missing' };
    }

    const found = await this.searchMap(file, ctx);
    if (found === null) {
      this.remember(memoKey, { status: 'missing', until: this.options.now() + this.options.negativeCacheTtlMs });
      return { status: 'missing' };
    }
    this.remember(memoKey, { status: 'found', fetch: found.fetch, artifact: found.artifact });
    return toResolution(found.cached, found.artifact);
  }

  private async searchMap(file: string, ctx: EventContext): Promise<{ cached: Cached; fetch: MapFetch; artifact: string } | null> {
    const releases = ctx.release !== null ? [ctx.release, null] : [null];
    const rewrites = this.options.urlPrefixRewrites;
    for (const name of candidateNames(file, rewrites)) {
      for (const release of releases) {
        const direct: MapFetch = { by: 'name', release, name: `${name}.map` };
        const cached = await this.loadMap(ctx.project, direct);
        if (cached !== null) return { cached, fetch: direct, artifact: direct.name };

        const minified = await this.store.findByName(ctx.project, release, 'minified_source', name);
        if (minified === null) continue;
        const tail = readMinifiedTail(minified);
        const id = normalizeDebugId(tail.debugId);
        if (id !== null) {
          const byId: MapFetch = { by: 'debugId', debugId: id };
          const cachedById = await this.loadMap(ctx.project, byId);
          if (cachedById !== null) return { cached: cachedById, fetch: byId, artifact: `debug-id:${id}` };
        }
        if (tail.sourceMappingUrl === null) continue;
        if (tail.sourceMappingUrl.startsWith('data:')) {
          const inline: MapFetch = { by: 'inline', release, name };
          const cachedInline = await this.loadMap(ctx.project, inline);
          if (cachedInline !== null) return { cached: cachedInline, fetch: inline, artifact: `${name} (inline map)` };
          continue;
        }
        for (const mapName of candidateNames(resolveMapUrl(name, tail.sourceMappingUrl), rewrites, false)) {
          for (const mapRelease of releases) {
            const referenced: MapFetch = { by: 'name', release: mapRelease, name: mapName };
            const cachedReferenced = await this.loadMap(ctx.project, referenced);
            if (cachedReferenced !== null) return { cached: cachedReferenced, fetch: referenced, artifact: mapName };
          }
        }
      }
    }
    return null;
  }

  private loadMap(project: string, fetch: MapFetch): Promise<Cached | null> {
    const key = JSON.stringify(['sourcemap', project, fetch.by, fetch.by === 'debugId' ? fetch.debugId : fetch.release, fetch.by === 'debugId' ? null : fetch.name]);
    return this.load(key, async () => {
      switch (fetch.by) {
        case 'debugId':
          return this.store.findSourceMapByDebugId(project, fetch.debugId);
        case 'name':
          return this.store.findByName(project, fetch.release, 'sourcemap', fetch.name);
        case 'inline': {
          const minified = await this.store.findByName(project, fetch.release, 'minified_source', fetch.name);
          const url = minified === null ? null : readMinifiedTail(minified).sourceMappingUrl;
          return url === null ? null : decodeDataUrl(url);
        }
      }
    }, (bytes) => {
      const parsed = parseSourceMap(bytes);
      return parsed.ok ? { kind: 'sourcemap', map: parsed.map } : { kind: 'malformed', error: parsed.error };
    });
  }

  /** Cache, then store; concurrent loads of one artifact share one fetch and parse. */
  private load(key: string, fetch: () => Promise<Uint8Array | null>, parse: (bytes: Uint8Array) => Cached): Promise<Cached | null> {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.hits++;
      return Promise.resolve(cached);
    }
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const loading = (async () => {
      const bytes = await fetch();
      if (bytes === null) return null;
      this.misses++;
      const value = parse(bytes);
      // Estimated by the artifact's size: parsed maps grow with it.
      this.cache.set(key, value, bytes.byteLength);
      return value;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, loading);
    return loading;
  }

  private remember(key: string, memo: Memo): void {
    this.memo.delete(key);
    this.memo.set(key, memo);
    if (this.memo.size > MAX_MEMO_ENTRIES) {
      const oldest = this.memo.keys().next();
      if (!oldest.done) this.memo.delete(oldest.value);
    }
  }

  // ---- JVM (ProGuard / R8) ----------------------------------------------------------------

  /** Mappings named by the event's proguard debug images; else the one uploaded for its release. */
  private async loadProguard(event: CrashEvent): Promise<{ mappings: Array<{ mapping: ProguardMapping; artifact: string }>; malformed: boolean }> {
    const fetches: ProguardFetch[] = [];
    for (const image of event.debugImages) {
      const uuid = image.type === 'proguard' ? normalizeDebugId(image.debugId) : null;
      if (uuid !== null) fetches.push({ by: 'uuid', uuid });
    }
    const mappings: Array<{ mapping: ProguardMapping; artifact: string }> = [];
    let malformed = false;
    const tryFetch = async (fetch: ProguardFetch): Promise<void> => {
      const memoKey = JSON.stringify(['proguard', event.project, fetch.by, fetch.by === 'uuid' ? fetch.uuid : fetch.release]);
      const memo = this.memo.get(memoKey);
      if (memo?.status === 'missing' && this.options.now() < memo.until) return;
      const cached = await this.load(
        memoKey,
        () => this.store.findProguard(event.project, fetch.by === 'uuid' ? { uuid: fetch.uuid } : { release: fetch.release }),
        (bytes) => {
          const mapping = parseProguardMapping(new TextDecoder().decode(bytes));
          return mapping.classCount > 0 ? { kind: 'proguard', mapping } : { kind: 'malformed', error: 'no class lines in the mapping' };
        },
      );
      if (cached === null) {
        this.remember(memoKey, { status: 'missing', until: this.options.now() + this.options.negativeCacheTtlMs });
        return;
      }
      if (cached.kind === 'proguard') mappings.push({ mapping: cached.mapping, artifact: fetch.by === 'uuid' ? `proguard:${fetch.uuid}` : `proguard:release:${fetch.release}` });
      else malformed = true;
    };
    for (const fetch of fetches) await tryFetch(fetch);
    if (mappings.length === 0 && event.release !== null) await tryFetch({ by: 'release', release: event.release });
    return { mappings, malformed };
  }

  private symbolicateJvm(frames: Frame[], mappings: Array<{ mapping: ProguardMapping; artifact: string }>, malformed: boolean): Frame[] {
    const out: Frame[] = [];
    for (const frame of frames) {
      const name = frame.symbolication?.status === 'resolved' ? null : jvmName(frame);
      if (name === null) {
        out.push(frame);
        continue;
      }
      let result: ReturnType<ProguardMapping['remapFrame']> | null = null;
      let artifact = '';
      for (const candidate of mappings) {
        const r = candidate.mapping.remapFrame({ className: name.className, methodName: name.methodName, line: frame.line, file: frame.file });
        if (r.status !== 'class_not_found') {
          result = r;
          artifact = candidate.artifact;
          break;
        }
      }
      if (result === null) {
        // Not in any mapping: fine for framework classes; an obfuscated-looking one lacks its mapping.
        out.push(looksObfuscated(name.className) ? unresolved(frame, malformed ? 'malformed_map' : 'no_artifact') : frame);
        continue;
      }
      switch (result.status) {
        case 'out_of_range':
          out.push(unresolved(frame, 'out_of_range'));
          break;
        case 'ambiguous':
          out.push(unresolved(frame, 'no_position'));
          break;
        case 'remapped': {
          const symbolication: Symbolication = { status: 'resolved', via: 'proguard', artifact };
          const original = originalOf(frame);
          // The mapping lists an inline chain innermost first; our frames run oldest first.
          for (let k = result.frames.length - 1; k >= 0; k--) {
            const o = result.frames[k];
            out.push({
              ...frame,
              ...(name.combined ? { function: `${o.className}.${o.methodName}` } : { module: o.className, function: o.methodName }),
              file: o.file,
              line: o.line,
              column: null,
              symbolication,
              original,
            });
          }
          break;
        }
      }
    }
    return out;
  }
}

function toResolution(cached: Cached, artifact: string): MapResolution {
  switch (cached.kind) {
    case 'sourcemap':
      return { status: 'found', map: cached.map, artifact };
    case 'malformed':
      return { status: 'malformed', artifact };
    case 'proguard':
      // A key collision between kinds cannot happen (keys are namespaced); treat it as unusable.
      return { status: 'malformed', artifact };
  }
}

function verdictFor(verdicts: Map<string, Symbolication>, artifact: string): Symbolication {
  let verdict = verdicts.get(artifact);
  if (verdict === undefined) {
    verdict = { status: 'resolved', via: 'sourcemap', artifact };
    verdicts.set(artifact, verdict);
  }
  return verdict;
}

function unresolved(frame: Frame, reason: UnresolvedReason): Frame {
  return { ...frame, symbolication: { status: 'unresolved', reason } };
}

function originalOf(frame: Frame): NonNullable<Frame['original']> {
  return frame.original ?? { function: frame.function, file: frame.file, line: frame.line, column: frame.column };
}

/** Frames that a source map could resolve: JavaScript ones, with a file that could have been uploaded. */
function isJsFrame(frame: Frame, platform: string): boolean {
  if (frame.symbolication?.status === 'resolved') return false;
  const file = frame.file;
  if (file === null || file === '' || file === '<anonymous>' || file === 'native' || file === '[native code]') return false;
  if (/^(?:node|internal)[:/]/.test(file) || file.startsWith('<')) return false;
  if (JS_PLATFORMS.has(platform)) return true;
  return JS_FILE.test(file) && frame.line != null && frame.column != null;
}

/** `module` + `function` (Sentry's Java frames), or a combined `pkg.Class.method` in `function`. */
function jvmName(frame: Frame): { className: string; methodName: string; combined: boolean } | null {
  if (frame.function === null || frame.function === '') return null;
  if (frame.module !== null && frame.module !== '') return { className: frame.module, methodName: frame.function, combined: false };
  const dot = frame.function.lastIndexOf('.');
  if (dot <= 0) return null;
  return { className: frame.function.slice(0, dot), methodName: frame.function.slice(dot + 1), combined: true };
}

/** R8/ProGuard class names: `a.b.c`, `com.example.a`, `a0`, `ab$c`. */
function looksObfuscated(className: string | null): boolean {
  if (className === null) return false;
  const simple = className.slice(className.lastIndexOf('.') + 1).split('$')[0];
  return /^[a-z][a-z0-9]{0,2}$/.test(simple);
}

function remapExceptionType(
  exception: ExceptionValue,
  mappings: Array<{ mapping: ProguardMapping }>,
): { next: ExceptionValue; oldType: string; oldFull: string; newFull: string } | null {
  const module = exception.module ?? null;
  const full = module ? `${module}.${exception.type}` : exception.type;
  for (const { mapping } of mappings) {
    const original = mapping.remapClass(full);
    if (original === null || original === full) continue;
    const dot = original.lastIndexOf('.');
    const next: ExceptionValue = module ? { ...exception, module: original.slice(0, dot), type: original.slice(dot + 1) } : { ...exception, type: original };
    return { next, oldType: exception.type, oldFull: full, newFull: original };
  }
  return null;
}

function debugIdsByFile(event: CrashEvent): Map<string, string> {
  const byFile = new Map<string, string>();
  for (const image of event.debugImages) {
    if (image.type !== 'sourcemap' || image.codeFile === null) continue;
    const id = normalizeDebugId(image.debugId);
    if (id === null) continue;
    for (const key of fileKeys(image.codeFile)) if (!byFile.has(key)) byFile.set(key, id);
  }
  return byFile;
}

function lookupDebugId(byFile: Map<string, string>, file: string): string | null {
  if (byFile.size === 0) return null;
  for (const key of fileKeys(file)) {
    const id = byFile.get(key);
    if (id !== undefined) return id;
  }
  return null;
}

/** The spellings under which a code file and a frame's file are the same file. */
function fileKeys(file: string): string[] {
  const bare = file.replace(/[?#].*$/, '');
  const path = bare.startsWith('~/') ? bare.slice(1) : urlPath(bare);
  return path !== null ? [file, bare, `~${path}`] : [file, bare];
}
