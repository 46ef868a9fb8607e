import type { ExceptionValue, Frame } from '@faultline/schema';
import { FINGERPRINT_TAG, type EventDraft, toSeverity } from './event';
import { type Platform, guessInApp, inferPlatform, makeFrame, mapPlatform } from './frames';
import { readContexts, readDebugImages, readTags, readUser, type JsonContext } from './sentry';
import { splitQualifiedType } from './stack/common';
import { firstTrace, splitLines } from './stack/scan';
import { contentId, MAX_CHAIN, MAX_MESSAGE_CHARS, arr, clip, int, obj, str, text, toIsoTimestamp } from './util';

/*
 * Faultline's native event format (see README.md): a flat, mobile-friendly JSON object. Frames are
 * listed innermost first, as Throwable.getStackTrace(), Thread.callStackSymbols and error.stack give
 * them, unless `frameOrder` is "oldest_first". A text `stacktrace` in any supported format may stand
 * in for `frames`. Causes nest under `cause`.
 */

function readNativeFrame(value: unknown, platform: Platform): Frame | null {
  const f = obj(value);
  if (!f) return null;
  const fn = text(f.function ?? f.fn ?? f.method);
  const module = text(f.module ?? f.class ?? f.package);
  const file = text(f.file ?? f.filename ?? f.abs_path);
  if (fn === null && module === null && file === null) return null;
  const inApp = typeof f.inApp === 'boolean' ? f.inApp : typeof f.in_app === 'boolean' ? f.in_app : guessInApp(platform, fn, module, file);
  const frame = makeFrame(fn, module, file, int(f.line ?? f.lineno), int(f.column ?? f.colno), inApp);
  const context = str(f.contextLine ?? f.context_line);
  if (context !== null) frame.contextLine = context;
  return frame;
}

interface RawLink {
  node: Record<string, unknown>;
}

/** Outermost first, following `cause`. */
function chainOf(exc: Record<string, unknown>): RawLink[] {
  const out: RawLink[] = [];
  for (let n: Record<string, unknown> | null = exc; n && out.length < MAX_CHAIN; n = obj(n.cause)) out.push({ node: n });
  return out;
}

function platformHint(event: Record<string, unknown>, links: RawLink[]): Platform {
  const explicit = mapPlatform(text(event.platform, 32));
  if (explicit !== null && explicit !== 'other') return explicit;
  const files: Array<string | null> = [];
  for (const { node } of links) for (const f of arr(node.frames)?.slice(0, 64) ?? []) files.push(text(obj(f)?.file ?? obj(f)?.filename));
  const inferred = inferPlatform(files);
  return inferred !== 'other' ? inferred : (explicit ?? 'other');
}

export function nativeDraft(event: Record<string, unknown>, ctx: JsonContext, maxFrames: number): EventDraft | null {
  const exc = obj(event.exception);
  const message = text(event.message, MAX_MESSAGE_CHARS * 2);
  if (!exc && message === null) return null;
  const links = exc ? chainOf(exc) : [];
  let platform = platformHint(event, links);
  const oldestFirst = text(event.frameOrder ?? exc?.frameOrder, 32) === 'oldest_first';

  let exceptions: ExceptionValue[] = [];
  for (const { node } of links) {
    const list = arr(node.frames) ?? [];
    const source = list.length > maxFrames * 2 ? list.slice(0, maxFrames).concat(list.slice(list.length - maxFrames)) : list;
    const frames: Frame[] = [];
    for (const v of source) {
      const f = readNativeFrame(v, platform);
      if (f) frames.push(f);
    }
    if (!oldestFirst) frames.reverse();
    const rawType = text(node.type, 256) ?? 'Error';
    const split = platform === 'java' || platform === 'python' ? splitQualifiedType(rawType) : { type: rawType, module: null };
    const handled = typeof node.handled === 'boolean' ? node.handled : null;
    const mech = text(node.mechanism, 64);
    exceptions.push({
      type: split.type,
      value: text(node.value ?? node.message, MAX_MESSAGE_CHARS * 2) ?? '',
      module: text(node.module) ?? split.module,
      mechanism: mech !== null || handled !== null ? { type: mech ?? 'generic', handled } : null,
      frames,
    });
  }
  exceptions.reverse();

  // A text stack stands in for structured frames: its own chain (Java `Caused by:` …) is kept.
  const stackText = exc ? str(exc.stacktrace) : null;
  if (stackText !== null && exceptions.length > 0 && exceptions.every((e) => e.frames.length === 0)) {
    const lines = splitLines(clip(stackText, 4 * 1024 * 1024));
    const trace = firstTrace(lines, 0, lines.length);
    if (trace) {
      const outer = exceptions[exceptions.length - 1];
      const parsed = trace.exceptions;
      const last = parsed[parsed.length - 1];
      // The structured type/value name the error; the text gives the frames (and causes).
      parsed[parsed.length - 1] = { ...last, type: outer.type !== 'Error' || last.type === 'Error' ? outer.type : last.type, value: outer.value || last.value, mechanism: outer.mechanism, module: outer.module ?? last.module };
      exceptions = parsed;
      if (text(event.platform, 32) === null) platform = trace.platform;
    }
  }

  const tags = readTags(event.tags);
  const fp = arr(event.fingerprint);
  if (fp && fp.length > 0) tags[FINGERPRINT_TAG] = JSON.stringify(fp.slice(0, 32).map((v) => clip(str(v) ?? '', 256)));
  const userId = text(event.userId, 256);
  const id = text(event.id, 512);
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
    user: userId !== null ? { value: userId, pseudonymizeIfScrubbed: false } : readUser(obj(event.user) ? { ...obj(event.user), ip_address: obj(event.user)?.ipAddress ?? obj(event.user)?.ip_address } : null),
    tags,
    region: text(event.region, 64) ?? text(tags.region, 64),
    transaction: text(event.transaction, 512),
    serverName: text(event.serverName ?? event.server_name, 256),
    contexts: readContexts({ os: event.os, device: event.device, browser: event.browser, runtime: event.runtime }),
    debugImages: readDebugImages({ images: event.debugImages }),
    source: { kind: 'native', name: ctx.sourceName, line: ctx.line },
    raw: ctx.raw,
  };
}
