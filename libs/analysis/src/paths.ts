// Stack frames name files the way the runtime saw them (`webpack://app/./src/x.ts`,
// `/app/billing/invoice.py`, `/home/runner/work/svc/svc/internal/x.go`, `OrderService.java`);
// git names them relative to the repository root. These helpers bridge the two.

const THIRD_PARTY = /(^|\/)(node_modules|site-packages|dist-packages|bower_components|vendor|third_party|\.yarn|\.pnpm|gems|pkg\/mod)\/|^(node|internal|<anonymous>|native)(:|\/|$)|^\/usr\/(lib|local\/lib)\/python|^(java|javax|jdk|sun|kotlin|scala)\.|\.jar!|^runtime\//;

/** A stack path reduced to what could be a repo-relative path: scheme, bundler and container prefixes removed. */
export function normalizeStackPath(file: string): string {
  let path = file.trim().replace(/\\/g, '/');
  path = path.replace(/[?#].*$/, '');
  path = path.replace(/^webpack-internal:\/\/\/(\([^)]*\)\/)?/, '');
  path = path.replace(/^webpack:\/\/[^/]*\//, '');
  path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/\/?/i, '/'); // app:///, file:///, http://host/
  path = path.replace(/^[A-Za-z]:\//, '/');
  path = path.replace(/^~\//, '/');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

/** Whether a frame's file is someone else's code (dependencies, runtime, stdlib). */
export function isThirdPartyPath(file: string | null | undefined, module?: string | null): boolean {
  const path = (file ?? '').replace(/\\/g, '/');
  if (THIRD_PARTY.test(path)) return true;
  return !path && !!module && THIRD_PARTY.test(module);
}

/**
 * The dependency a third-party frame belongs to, as names a manifest would mention:
 * `node_modules/@scope/pkg/…` → `@scope/pkg`; `site-packages/pydantic/…` → `pydantic`;
 * `pkg/mod/github.com/lib/pq@v1.10.0/…` → `github.com/lib/pq`; a Java module `com.zaxxer.hikari.pool.HikariPool` → `com.zaxxer.hikari`, `hikari`.
 */
export function thirdPartyPackages(file: string | null | undefined, module?: string | null): string[] {
  const path = (file ?? '').replace(/\\/g, '/');
  const names: string[] = [];
  const node = /node_modules\/((?:@[^/]+\/)?[^/]+)/g;
  let match: RegExpExecArray | null;
  let last: string | null = null;
  while ((match = node.exec(path))) last = match[1];
  if (last) names.push(last);
  const py = /(?:site|dist)-packages\/([^/]+)/.exec(path);
  if (py) names.push(py[1].replace(/\.py$/, ''));
  const go = /pkg\/mod\/(.+?)@v[^/]+/.exec(path);
  if (go) names.push(go[1]);
  if (!names.length && module && /^[a-z][\w]*(\.[\w$]+){2,}/.test(module) && !/^(java|javax|jdk|sun|kotlin)\./.test(module)) {
    const parts = module.split('.');
    names.push(parts.slice(0, 3).join('.'), parts[2]);
  }
  return [...new Set(names.filter((name) => name.length >= 2))];
}

/** Maps stack paths to repository paths by the longest common path suffix. */
export class RepoPathIndex {
  private readonly byBasename = new Map<string, string[]>();

  constructor(files: Iterable<string>) {
    for (const file of files) {
      const base = file.slice(file.lastIndexOf('/') + 1);
      const list = this.byBasename.get(base) ?? [];
      list.push(file);
      this.byBasename.set(base, list);
    }
  }

  /** The repository path a frame's file most likely is, or null when none (or several equally) fit. */
  resolve(file: string | null | undefined, module?: string | null): string | null {
    if (!file) return null;
    let segments = normalizeStackPath(file).split('/').filter(Boolean);
    if (!segments.length) return null;
    // JVM frames carry only a file name; the module (package + class) gives the directories.
    if (segments.length === 1 && module && module.includes('.')) {
      const packagePath = module.split('.').slice(0, -1);
      segments = [...packagePath, segments[0]];
    }
    const candidates = this.byBasename.get(segments[segments.length - 1]) ?? [];
    const scored = candidates.map((candidate) => ({ candidate, score: commonSuffix(candidate.split('/'), segments) }));
    const top = Math.max(0, ...scored.map((s) => s.score));
    const best = scored.filter((s) => s.score === top).map((s) => s.candidate);
    if (top === 0 || best.length === 0) return null;
    if (best.length === 1) return best[0];
    // Several files end the same way: only a match on directories too is worth a guess (the shallowest).
    if (top < 2) return null;
    return best.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
  }
}

function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}
