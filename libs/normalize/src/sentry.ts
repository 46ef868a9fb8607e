import type { CrashEvent, ExceptionValue, Frame } from '@faultline/schema';
import { FINGERPRINT_TAG, type EventDraft, emptyContexts, toSeverity } from './event';
import { type Platform, guessInApp, inferPlatform, makeFrame, mapPlatform } from './frames';
import { contentId, MAX_CHAIN, MAX_CONTEXT_LINES, MAX_DEBUG_IMAGES, MAX_MESSAGE_CHARS, MAX_TAGS, arr, clip, int, obj, str, text, toIsoTimestamp } from './util';

/*
 * Sentry event JSON (the store endpoint's body, or an envelope's `event` item) → EventDraft.
 * Every field is optional and may have the wrong type: each is read defensively.
 */

export interface JsonContext {
  sourceName: string;
  /** 1-based line of the record in a file, or null. */
  line: number | null;
  /** The record as received; an event without a usable id gets sha256 of it, so retries and replays keep one id. */
  raw: string;
}

function strings(value: unknown, max: number): string[] | undefined {
  const a = arr(value);
  if (!a) return undefined;
  const out: string[] = [];
  for (const v of a.slice(0, max)) {
    const s = str(v);
    if (s !== null) out.push(s);
  }
  return out;
}

export function readFrame(value: unknown, platform: Platform): Frame | null {
  const f = obj(value);
  if (!f) return null;
  const fn = text(f.function);
  const module = text(f.module) ?? (platform === 'native' ? text(f.package) : null);
  const file = platform === 'javascript' || platform === 'node' ? (text(f.abs_path) ?? text(f.filename)) : (text(f.filename) ?? text(f.abs_path));
  const frame = makeFrame(fn, module, file, int(f.lineno), int(f.colno), typeof f.in_app === 'boolean' ? f.in_app : guessInApp(platform, fn, module, file));
  const context = str(f.context_line);
  if (context !== null) frame.contextLine = context;
  const pre = strings(f.pre_context, 50);
  if (pre) frame.preContext = pre.slice(-MAX_CONTEXT_LINES);
  const post = strings(f.post_context, 50);
  if (post) frame.postContext = post.slice(0, MAX_CONTEXT_LINES);
  // A frame with no name, file, module or address tells nothing.
  if (frame.function === null && frame.file === null && frame.module === null && text(f.instruction_addr, 64) === null) return null;
  return frame;
}

/** Frames oldest first, as Sentry sends them. Hostile lists are cut early; `finalizeEvent` trims to maxFrames. */
export function readFrames(stacktrace: unknown, platform: Platform, maxFrames: number): Frame[] {
  const st = obj(stacktrace);
  const list = st ? arr(st.frames) : null;
  if (!list) return [];
  // Read at most 2×maxFrames from the crash end and the oldest end; the middle would be trimmed anyway.
  const source = list.length > maxFrames * 2 ? list.slice(0, maxFrames).concat(list.slice(list.length - maxFrames)) : list;
  const out: Frame[] = [];
  for (const v of source) {
    const f = readFrame(v, platform);
    if (f) out.push(f);
  }
  return out;
}

function readMechanism(value: unknown): ExceptionValue['mechanism'] {
  const m = obj(value);
  if (!m) return null;
  return { type: text(m.type, 64) ?? 'generic', handled: typeof m.handled === 'boolean' ? m.handled : null };
}

function exceptionValues(event: Record<string, unknown>): unknown[] {
  const exc = event.exception ?? event['sentry.interfaces.Exception'];
  if (Array.isArray(exc)) return exc;
  const o = obj(exc);
  if (!o) return [];
  const values = arr(o.values);
  if (values) return values;
  return o.type !== undefined || o.value !== undefined ? [o] : [];
}

/** `{name, version}` → `"iOS 17.2"`; a plain string is kept. */
function contextString(value: unknown, kind: 'os' | 'device' | 'browser' | 'runtime'): string | null {
  const direct = text(value, 256);
  if (direct !== null) return direct;
  const c = obj(value);
  if (!c) return null;
  if (kind === 'device') {
    const model = text(c.model, 128) ?? text(c.family, 128) ?? text(c.name, 128);
    const maker = text(c.manufacturer, 64) ?? text(c.brand, 64);
    if (model === null) return maker;
    return maker !== null && !model.toLowerCase().startsWith(maker.toLowerCase()) ? `${maker} ${model}` : model;
  }
  const name = text(c.name, 128);
  const version = text(c.version, 64);
  if (name === null) return text(c.raw, 256);
  return version !== null ? `${name} ${version}` : name;
}

export function readContexts(contexts: unknown): CrashEvent['contexts'] {
  const c = obj(contexts);
  const out = emptyContexts();
  if (!c) return out;
  out.os = contextString(c.os ?? c.client_os, 'os');
  out.device = contextString(c.device, 'device');
  out.browser = contextString(c.browser, 'browser');
  out.runtime = contextString(c.runtime, 'runtime');
  return out;
}

export function readTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  let n = 0;
  const put = (k: unknown, v: unknown): void => {
    const key = text(k, 200);
    const val = str(v);
    // `__proto__` would set the object's prototype instead of a tag.
    if (key === null || val === null || n >= MAX_TAGS || key === FINGERPRINT_TAG || key === '__proto__') return;
    tags[key] = val;
    n++;
  };
  if (Array.isArray(value)) {
    for (const pair of value.slice(0, MAX_TAGS * 2)) {
      const p = arr(pair);
      if (p && p.length >= 2) put(p[0], p[1]);
      else {
        const o = obj(pair);
        if (o) put(o.key, o.value);
      }
    }
  } else {
    const o = obj(value);
    if (o) for (const k of Object.keys(o).slice(0, MAX_TAGS * 2)) put(k, o[k]);
  }
  return tags;
}

export function readDebugImages(debugMeta: unknown): CrashEvent['debugImages'] {
  const dm = obj(debugMeta);
  const images = dm ? arr(dm.images) : null;
  if (!images) return [];
  const out: CrashEvent['debugImages'] = [];
  for (const v of images.slice(0, MAX_DEBUG_IMAGES)) {
    const img = obj(v);
    if (!img) continue;
    const t = (text(img.type, 32) ?? '').toLowerCase();
    const type = t === 'sourcemap' ? 'sourcemap' : t === 'proguard' || t === 'jvm' ? 'proguard' : 'other';
    out.push({
      type,
      codeFile: text(img.code_file ?? img.codeFile),
      debugId: text(img.debug_id ?? img.debugId ?? img.uuid, 128),
    });
  }
  return out;
}

/** `%s`-style logentry formatting, as Sentry's SDKs do it for `logentry.params`. */
function formatLogentry(message: string, params: unknown): string {
  const list = arr(params);
  if (!list || list.length === 0 || message.indexOf('%') === -1) return message;
  let k = 0;
  return message.replace(/%[sdif]/g, (m) => (k < list.length ? (str(list[k++]) ?? m) : m));
}

function readMessage(event: Record<string, unknown>): string | null {
  const le = obj(event.logentry) ?? obj(event['sentry.interfaces.Message']);
  if (le) {
    const formatted = text(le.formatted, MAX_MESSAGE_CHARS * 2);
    if (formatted !== null) return formatted;
    const m = text(le.message, MAX_MESSAGE_CHARS * 2);
    if (m !== null) return formatLogentry(m, le.params);
  }
  const msg = event.message;
  const direct = text(msg, MAX_MESSAGE_CHARS * 2);
  if (direct !== null) return direct;
  const mo = obj(msg);
  if (mo) return text(mo.formatted, MAX_MESSAGE_CHARS * 2) ?? text(mo.message, MAX_MESSAGE_CHARS * 2);
  return null;
}

export function readUser(value: unknown): EventDraft['user'] {
  const u = obj(value);
  if (!u) return null;
  const id = text(u.id, 256) ?? text(u.username, 256);
  if (id !== null) return { value: id, pseudonymizeIfScrubbed: false };
  const other = text(u.email, 256) ?? text(u.ip_address, 64);
  return other !== null ? { value: other, pseudonymizeIfScrubbed: true } : null;
}

/** Threads carry the stack of native crashes and of message events with attached stacks. */
function crashedThreadFrames(event: Record<string, unknown>, platform: Platform, maxFrames: number): Frame[] {
  const threads = obj(event.threads);
  const values = threads ? arr(threads.values) : arr(event.threads);
  if (!values) return [];
  let pick: Record<string, unknown> | null = null;
  for (const v of values.slice(0, 256)) {
    const t = obj(v);
    if (!t || !obj(t.stacktrace)) continue;
    if (t.crashed === true) {
      pick = t;
      break;
    }
    if (t.current === true && pick === null) pick = t;
  }
  return pick ? readFrames(pick.stacktrace, platform, maxFrames) : [];
}

export function sentryDraft(event: Record<string, unknown>, ctx: JsonContext, maxFrames: number): EventDraft | null {
  const values = exceptionValues(event).slice(-MAX_CHAIN * 4);
  const message = readMessage(event);
  if (values.length === 0 && message === null) return null;

  let platform = mapPlatform(text(event.platform, 32));
  if (platform === null || platform === 'other') {
    const files: Array<string | null> = [];
    for (const v of values) {
      const st = obj(obj(v)?.stacktrace);
      for (const f of (st ? arr(st.frames) : null)?.slice(0, 64) ?? []) files.push(text(obj(f)?.abs_path) ?? text(obj(f)?.filename));
    }
    const inferred = inferPlatform(files);
    if (platform === null || inferred !== 'other') platform = inferred;
  }

  const exceptions: ExceptionValue[] = [];
  for (const v of values) {
    const e = obj(v);
    if (!e) continue;
    const type = text(e.type, 256) ?? (text(e.value) !== null ? 'Error' : null);
    if (type === null) continue;
    exceptions.push({
      type,
      value: text(e.value, MAX_MESSAGE_CHARS * 2) ?? '',
      module: text(e.module),
      mechanism: readMechanism(e.mechanism),
      frames: readFrames(e.stacktrace ?? e.raw_stacktrace, platform, maxFrames),
    });
  }
  const primary = exceptions.at(-1);
  if (primary && primary.frames.length === 0) primary.frames = crashedThreadFrames(event, platform, maxFrames);

  const tags = readTags(event.tags);
  const fingerprint = strings(event.fingerprint, 32);
  if (fingerprint && fingerprint.length > 0) tags[FINGERPRINT_TAG] = JSON.stringify(fingerprint.map((s) => clip(s, 256)));
  const logger = text(event.logger, 128);
  if (logger !== null && tags.logger === undefined) tags.logger = logger;

  const contexts = obj(event.contexts);
  const cloud = obj(contexts?.cloud_resource) ?? obj(contexts?.cloud);
  const id = text(event.event_id, 512);
  return {
    id: id ?? contentId(ctx.raw),
    timestamp: toIsoTimestamp(event.timestamp),
    platform,
    release: text(event.release, 200),
    environment: text(event.environment, 100),
    severity: toSeverity(text(event.level, 32)),
    exceptions,
    message,
    errorType: null,
    user: readUser(event.user),
    tags,
    region: text(tags.region, 64) ?? text(cloud?.['cloud.region'], 64) ?? text(cloud?.region, 64),
    transaction: text(event.transaction, 512) ?? text(tags.transaction, 512),
    serverName: text(event.server_name, 256),
    contexts: readContexts(event.contexts),
    debugImages: readDebugImages(event.debug_meta),
    source: { kind: 'sentry', name: ctx.sourceName, line: ctx.line },
    raw: ctx.raw,
  };
}
