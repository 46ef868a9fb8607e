import type { Frame } from '@faultline/schema';
import { basename, stripAssetHash, stripGoArgs } from '@faultline/normalize';

/*
 * Grouping tokens: what of a frame identifies the code, without what changes between builds and
 * deploys (line/column numbers, asset hashes, lambda indices, closure numbers, addresses).
 */

type Family = 'js' | 'java' | 'python' | 'go' | 'native' | 'other';

function family(platform: string): Family {
  switch (platform) {
    case 'javascript':
    case 'node':
      return 'js';
    case 'java':
      return 'java';
    case 'python':
      return 'python';
    case 'go':
      return 'go';
    case 'native':
      return 'native';
    default:
      return 'other';
  }
}

const JS_ANONYMOUS = new Set(['<anonymous>', 'anonymous', 'global code', '?', '', 'Object.<anonymous>']);

/**
 * One name for a JS function however an engine prints it: Chrome `Foo.bar [as baz]`, `async x`, `new Foo`,
 * `Object.<anonymous>`; Firefox `Foo.prototype.bar`, `fn/<`, `async*fn`; Safari `global code`. Anonymous → `?`.
 */
export function normalizeJsFunction(fn: string | null): string {
  if (fn === null) return '?';
  let f = fn.trim();
  const star = f.lastIndexOf('*');
  if (star >= 0) f = f.slice(star + 1);
  if (f.startsWith('async ')) f = f.slice(6);
  if (f.startsWith('new ')) f = f.slice(4);
  const alias = f.indexOf(' [as ');
  if (alias >= 0) f = f.slice(0, alias);
  if (f.includes('/<') || f.endsWith('<')) return '?'; // Firefox: an anonymous function inside another
  if (JS_ANONYMOUS.has(f)) return '?';
  const slash = f.lastIndexOf('/');
  if (slash >= 0) f = f.slice(slash + 1);
  const dot = f.lastIndexOf('.');
  if (dot >= 0) f = f.slice(dot + 1);
  return JS_ANONYMOUS.has(f) ? '?' : f;
}

/** Java/Kotlin class or method without synthetic suffixes: lambdas, anonymous class numbers, proxies. */
export function normalizeJavaName(name: string): string {
  if (name.indexOf('$') === -1) return name;
  return name
    .replace(/\$\$Lambda(?:\$\d+)?(?:\/(?:0x)?[0-9a-f]+)?/g, '$$$$Lambda')
    .replace(/\$\$ExternalSyntheticLambda\d+/g, '$$$$ExternalSyntheticLambda')
    .replace(/\$\$(EnhancerBy\w+?|FastClassBy\w+?)\$\$[0-9a-f]+/g, '$$$$$1')
    .replace(/\$HibernateProxy\$\w+/g, '$$HibernateProxy')
    .replace(/\$\d+/g, '$$');
}

/** Go function without argument list, offsets, and with closure numbers folded (`.func1.2` → `.func`). */
export function normalizeGoFunction(fn: string): string {
  let f = fn.trim();
  const plus = f.indexOf(' +0x');
  if (plus >= 0) f = f.slice(0, plus);
  return stripGoArgs(f).replace(/\.func\d+(?:\.\d+)*/g, '.func').replace(/\.gowrap\d+/g, '.gowrap');
}

const NATIVE_UNKNOWN = /^(?:<unknown>|\?\?|\?|0x[0-9a-f]+|<redacted>)$/i;

/** Native symbol without parameters, offsets or addresses; null when it is only an address. */
export function normalizeNativeFunction(fn: string): string | null {
  let f = fn.trim().replace(/\s*\+\s*(?:0x[0-9a-f]+|\d+)$/i, '');
  if (NATIVE_UNKNOWN.test(f)) return null;
  const paren = f.indexOf('(');
  if (paren > 0) f = f.slice(0, paren);
  return f.trim() || null;
}

/** The frame's grouping token, or null when the frame says nothing stable (no name, only an address). */
export function normalizeFrameForGrouping(frame: Frame, platform: string): string | null {
  const fn = frame.function;
  switch (family(platform)) {
    case 'js': {
      const where = frame.module ?? (frame.file !== null ? basename(stripAssetHash(frame.file)) : null);
      const name = normalizeJsFunction(fn);
      if ((where === null || where.length === 0) && name === '?') return null;
      return `${where || '?'}:${name}`;
    }
    case 'java': {
      if (fn === null && frame.module === null) return null;
      const method = fn !== null ? normalizeJavaName(fn) : '?';
      return frame.module !== null ? `${normalizeJavaName(frame.module)}.${method}` : method;
    }
    case 'python': {
      const module = frame.module ?? (frame.file !== null ? basename(frame.file).replace(/\.py[cw]?$/, '') : null);
      if (module === null && fn === null) return null;
      return `${module ?? '?'}:${fn ?? '?'}`;
    }
    case 'go': {
      if (fn === null) return null;
      const f = normalizeGoFunction(fn);
      return frame.module !== null && !f.startsWith(frame.module) ? `${frame.module}.${f}` : f;
    }
    case 'native':
      return fn === null ? null : normalizeNativeFunction(fn);
    case 'other': {
      const file = frame.file !== null ? basename(frame.file) : null;
      if (fn === null && file === null) return null;
      return `${frame.module ?? file ?? '?'}:${fn ?? '?'}`;
    }
  }
}

/** Folds repeated frames and repeated cycles of up to 4 frames (mutual recursion) into one occurrence. */
export function collapseRecursion(tokens: readonly string[]): string[] {
  let out = tokens.slice();
  for (let period = 1; period <= 4; period++) {
    if (out.length < period * 2) break;
    const next: string[] = [];
    let i = 0;
    while (i < out.length) {
      if (next.length >= period && i + period <= out.length) {
        let same = true;
        for (let k = 0; k < period && same; k++) same = next[next.length - period + k] === out[i + k];
        if (same) {
          i += period;
          continue;
        }
      }
      next.push(out[i]);
      i++;
    }
    out = next;
  }
  return out;
}
