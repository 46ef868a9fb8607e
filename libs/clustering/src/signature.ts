import { type CrashEvent, type Frame, primaryFrames } from '@faultline/schema';

/** What clustering knows about one issue (one exact fingerprint): small enough to store and pass around. */
export interface IssueSignature {
  project: string;
  fingerprint: string;
  platform: string;
  errorType: string;
  canonicalKind: string;
  messageTemplate: string;
  /** Grouping tokens of the primary stack, oldest-first, crash site last. */
  frames: string[];
  /** Parallel to `frames`. */
  inApp: boolean[];
  /** Tokens of the root-cause (first) exception in the chain, when the chain has one that differs from the primary. */
  causeFrames: string[];
  /** Parallel to `causeFrames`; when absent, cause frames count as in-app unless they are generic. */
  causeInApp?: boolean[];
}

/** Deep recursion and huge stacks carry nothing new past this many frames (kept nearest the crash site). */
const MAX_FRAMES = 64;

export function signatureOf(event: CrashEvent): IssueSignature {
  const primary = tokensOf(primaryFrames(event), event.platform);
  const root = event.exceptions.length > 1 ? tokensOf(event.exceptions[0].frames, event.platform) : { frames: [], inApp: [] };
  const sameAsPrimary = root.frames.length === primary.frames.length && root.frames.every((t, i) => t === primary.frames[i]);
  const hasCause = root.frames.length > 0 && !sameAsPrimary;
  return {
    project: event.project,
    fingerprint: event.fingerprint,
    platform: event.platform,
    errorType: event.errorType,
    canonicalKind: event.canonicalKind,
    messageTemplate: event.messageTemplate,
    frames: primary.frames,
    inApp: primary.inApp,
    causeFrames: hasCause ? root.frames : [],
    causeInApp: hasCause ? root.inApp : [],
  };
}

function tokensOf(frames: Frame[], platform: string): { frames: string[]; inApp: boolean[] } {
  const tokens: string[] = [];
  const inApp: boolean[] = [];
  for (const frame of frames) {
    tokens.push(frameToken(frame, platform));
    inApp.push(frame.inApp);
    collapseRepeats(tokens, inApp);
  }
  const from = Math.max(0, tokens.length - MAX_FRAMES);
  return { frames: tokens.slice(from), inApp: inApp.slice(from) };
}

/**
 * Recursion makes the same frame (or the same short cycle of frames) repeat hundreds of times; one
 * copy says all there is, and keeps a stack overflow through 900 frames comparable to one through 1200.
 */
function collapseRepeats(tokens: string[], inApp: boolean[]): void {
  for (let period = 1; period <= 4; period++) {
    const n = tokens.length;
    if (n < 2 * period) continue;
    let repeats = true;
    for (let k = 0; k < period; k++) {
      if (tokens[n - 1 - k] !== tokens[n - 1 - period - k]) {
        repeats = false;
        break;
      }
    }
    if (repeats) {
      tokens.length = n - period;
      inApp.length = n - period;
      return;
    }
  }
}

/** `<location>:<function>`; line and column are left out on purpose: they move with every build. */
export function frameToken(frame: Pick<Frame, 'function' | 'module' | 'file'>, platform: string): string {
  const family = platformFamily(platform);
  let fn = frame.function?.trim() ?? '';
  let module = frame.module?.trim() || null;
  // A Java text trace may arrive with `pkg.Class.method` in `function` and no module.
  if (family === 'java' && !module && /\.[^.]+$/.test(fn) && !fn.startsWith('<')) {
    const dot = fn.lastIndexOf('.');
    module = fn.slice(0, dot);
    fn = fn.slice(dot + 1);
  }
  // Java's class name is the better location (the file name drops the package); elsewhere the file
  // is what both SDK events and text traces carry, while `module` is only sometimes set.
  const location =
    family === 'java' && module ? javaClassKey(module) : frame.file ? fileKey(frame.file) : module ? stripHashes(module) : '?';
  return `${location}:${cleanFunction(fn, family)}`;
}

type Family = 'js' | 'java' | 'python' | 'go' | 'other';

function platformFamily(platform: string): Family {
  const p = platform.toLowerCase();
  if (/javascript|node|browser|react|electron/.test(p)) return 'js';
  if (/java|android|kotlin|jvm/.test(p)) return 'java';
  if (/python/.test(p)) return 'python';
  if (/^go/.test(p)) return 'go';
  return 'other';
}

function javaClassKey(module: string): string {
  // Anonymous and synthetic classes are numbered by the compiler: `Foo$1`, `Foo$$ExternalSyntheticLambda0`.
  return module.replace(/\$\d+/g, '$').replace(/(ExternalSyntheticLambda|Lambda)\d+/g, '$1');
}

export function cleanFunction(raw: string, family: Family = 'other'): string {
  let s = raw.trim();
  if (!s) return '?';
  s = s
    .replace(/^async\s+/, '')
    .replace(/^new\s+/, '')
    .replace(/\s*\[as [^\]]*\]$/, '')
    .replace(/(\/<)+$/, '') // Firefox: `computeTotals/<` is an anonymous function nested in computeTotals
    .replace(/\/<\//g, '/');
  if (s === 'global code' || s === 'eval code' || s === 'Object.<anonymous>') return '<anonymous>';
  switch (family) {
    case 'js': {
      // V8 says `CartStore.computeTotals`, Firefox and Safari say `computeTotals`: keep the part all agree on.
      s = s.replace(/\.prototype\./g, '.').replace(/\s*\(.*\)$/, '');
      if (s.endsWith('.<anonymous>')) return '<anonymous>';
      const last = s.split('.').pop();
      return last || '?';
    }
    case 'java':
      return s.replace(/^lambda\$(.+?)\$\d+$/, 'lambda$$$1').replace(/\$\d+/g, '$');
    case 'go':
      // Closures are numbered (`Total.func1.2`); arguments may trail.
      return s.replace(/\(0x[^)]*\)$/, '').replace(/\.func\d+(\.\d+)*$/, '.func').replace(/\(\.\.\.\)$/, '');
    case 'python':
    case 'other':
      return s;
  }
}

/**
 * A stable name for a file: its basename without extension or build hash. Only the basename, because
 * the same file arrives as `shop/cache.py` from an SDK and `/srv/venv/…/shop/cache.py` from a log, or
 * under a different deploy root; `index`/`__init__` files keep their folder, which is their real name.
 */
export function fileKey(file: string): string {
  let s = file.trim().replace(/[?#].*$/, '');
  if (/^node:/.test(s)) return `node:${basenameOf(s.slice(5))}`;
  s = s.replace(/^[a-z][\w+.-]*:\/\/[^/]*/i, '').replace(/^webpack:\/*/i, '');
  const segments = s.split(/[\\/]/).filter(Boolean);
  let base = cleanBase(segments.pop() ?? '');
  const parent = segments.length > 0 ? cleanBase(segments[segments.length - 1]) : '';
  if (/^(index|__init__|mod|lib)$/.test(base) && parent) base = `${parent}/${base}`;
  return base || '?';
}

function basenameOf(path: string): string {
  return cleanBase(path.split(/[\\/]/).filter(Boolean).pop() ?? '');
}

function cleanBase(name: string): string {
  const withoutExt = name.replace(/(\.(m|c)?(j|t)sx?|\.py|\.java|\.kt|\.go|\.rb|\.php)$/i, '').replace(/\.(min|bundle|prod)$/i, '');
  return stripHashes(withoutExt);
}

/** Bundlers add content hashes (`main.3f9a2c1b.chunk`, `index-BfZ3kq9a`) that change with every build. */
export function stripHashes(name: string): string {
  const parts = name.split(/([.~-])/);
  const kept: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i];
    if (isHashLike(part)) continue;
    if (kept.length > 0) kept.push(parts[i - 1]);
    kept.push(part);
  }
  return kept.join('');
}

function isHashLike(part: string): boolean {
  if (/^[0-9a-f]{6,}$/i.test(part) && /\d/.test(part)) return true;
  if (/^\d{6,}$/.test(part)) return true;
  return /^[A-Za-z0-9_]{8,}$/.test(part) && (part.match(/\d/g)?.length ?? 0) >= 2 && /[A-Z]/.test(part) && /[a-z]/.test(part);
}
