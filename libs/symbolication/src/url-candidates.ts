/** A URL prefix rewrite: `{from:'https://cdn.example.com/', to:'~/'}` makes CDN URLs match uploaded `~/` names. */
export interface UrlRewrite {
  from: string;
  to: string;
}

const SCHEME_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i;

/** `https://host/static/app.js` → `/static/app.js`; `/srv/app.js` → itself; null for what has no path. */
export function urlPath(file: string): string | null {
  const match = SCHEME_HOST.exec(file);
  if (match) return match[1] ?? '/';
  return file.startsWith('/') ? file : null;
}

function stripQuery(file: string): string {
  return file.replace(/[?#].*$/, '');
}

function applyRewrite(file: string, rewrites: readonly UrlRewrite[]): string | null {
  for (const rewrite of rewrites) if (rewrite.from !== '' && file.startsWith(rewrite.from)) return rewrite.to + file.slice(rewrite.from.length);
  return null;
}

/**
 * The names an uploaded artifact could have for a frame's file, most specific first: the file after
 * prefix rewrite, the file as is, its `~/path` form (Sentry's convention: `~` stands for scheme and
 * host), then shorter and shorter tails of the path (`~/js/app.js`, `js/app.js`, `~/app.js`, `app.js`).
 */
export function candidateNames(file: string, rewrites: readonly UrlRewrite[], withTails = true): string[] {
  const names = new Set<string>();
  const bare = stripQuery(file);
  for (const f of [file, bare]) {
    const rewritten = applyRewrite(f, rewrites);
    if (rewritten !== null) names.add(rewritten);
  }
  names.add(file);
  names.add(bare);
  if (bare.startsWith('~/')) {
    addTails(names, bare.slice(1), withTails);
    return [...names];
  }
  const path = urlPath(bare);
  if (path !== null) {
    names.add(`~${path}`);
    addTails(names, path, withTails);
  } else if (!/^[a-z][a-z0-9+.-]*:/i.test(bare)) {
    // A relative path (`static/app.js`): its `~/` form, then its tails.
    names.add(`~/${bare.replace(/^\.?\//, '')}`);
    addTails(names, `/${bare}`, withTails);
  }
  return [...names];
}

function addTails(names: Set<string>, path: string, withTails: boolean): void {
  if (!withTails) return;
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  for (let k = 0; k < segments.length; k++) {
    const tail = segments.slice(k).join('/');
    names.add(`~/${tail}`);
    names.add(tail);
  }
}

/**
 * Resolves a `sourceMappingURL` against the name the minified file was found under:
 * `app.js.map` next to `~/static/app.js` is `~/static/app.js.map`.
 */
export function resolveMapUrl(minifiedName: string, mapUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(mapUrl) || mapUrl.startsWith('~/')) return mapUrl;
  if (mapUrl.startsWith('/')) {
    const origin = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)/i.exec(minifiedName);
    if (origin) return origin[1] + mapUrl;
    return minifiedName.startsWith('~/') ? `~${mapUrl}` : mapUrl;
  }
  const dir = minifiedName.slice(0, minifiedName.lastIndexOf('/') + 1);
  const segments = (dir + mapUrl).split('/');
  const out: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment === '.' && index > 0) continue;
    if (segment === '..' && out.length > 0) {
      // Above the root (`~` or the host), `..` stays at the root, as in a browser.
      const last = out[out.length - 1];
      const atRoot = last === '~' || last === '' || (out.length === 3 && /^[a-z][a-z0-9+.-]*:$/i.test(out[0]));
      if (!atRoot) out.pop();
      continue;
    }
    out.push(segment);
  }
  return out.join('/');
}
