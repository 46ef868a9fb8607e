// What source text says about a crash: which configuration it reads, which files are dependency
// manifests or configuration, and what a diff changed.

export type ConfigSyntax = 'env' | 'config';

export interface ConfigRead {
  key: string;
  line: number;
  syntax: ConfigSyntax;
  /** The expression as written, e.g. `process.env.DB_POOL_MAX`. */
  expression: string;
}

const CONFIG_READ_PATTERNS: Array<{ re: RegExp; syntax: ConfigSyntax }> = [
  { re: /process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g, syntax: 'env' },
  { re: /process\.env\[\s*['"`]([^'"`\s]+)['"`]\s*\]/g, syntax: 'env' },
  { re: /import\.meta\.env\.([A-Za-z_][A-Za-z0-9_]*)/g, syntax: 'env' },
  { re: /os\.environ(?:\.get)?\s*[[(]\s*['"]([^'"\s]+)['"]/g, syntax: 'env' },
  { re: /os\.getenv\(\s*['"]([^'"\s]+)['"]/g, syntax: 'env' },
  { re: /System\.getenv\(\s*"([^"\s]+)"/g, syntax: 'env' },
  { re: /os\.(?:Getenv|LookupEnv)\(\s*"([^"\s]+)"/g, syntax: 'env' },
  { re: /\bENV(?:\.fetch)?\s*[[(]\s*['"]([^'"\s]+)['"]/g, syntax: 'env' },
  { re: /(?<![.\w])getenv\(\s*['"]([^'"\s]+)['"]/g, syntax: 'env' },
  { re: /System\.getProperty\(\s*"([^"\s]+)"/g, syntax: 'config' },
  { re: /@Value\(\s*"\$\{([^}:"\s]+)/g, syntax: 'config' },
  { re: /\b(?:config|configService|settings|conf|cfg|appConfig)\.(?:get|getString|getInt|getNumber|getBoolean|getOrThrow|require)\s*(?:<[^>()]*>)?\(\s*['"`]([^'"`\s]+)['"`]/g, syntax: 'config' },
  { re: /\bviper\.Get\w*\(\s*"([^"\s]+)"/g, syntax: 'config' },
  { re: /\bsettings\.([A-Z][A-Z0-9_]{2,})\b/g, syntax: 'config' },
];

/** Environment variables and configuration keys a piece of source reads, with their line numbers. */
export function findConfigReads(source: string): ConfigRead[] {
  const reads: ConfigRead[] = [];
  const lines = source.split('\n');
  lines.forEach((text, index) => {
    for (const { re, syntax } of CONFIG_READ_PATTERNS) {
      re.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = re.exec(text))) reads.push({ key: match[1], line: index + 1, syntax, expression: match[0] });
    }
  });
  return reads;
}

/** Forms a key may take in configuration files: `payments.timeoutMs` → `paymentstimeoutms`, `timeoutms`; `DB_POOL_MAX` → `dbpoolmax`. */
export function keyTokens(key: string): { exact: string; leaf: string | null } {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const parts = key.split(/[.:/]/).filter(Boolean);
  const leaf = parts.length > 1 ? squash(parts[parts.length - 1]) : null;
  return { exact: squash(key), leaf: leaf && leaf.length >= 5 ? leaf : null };
}

/** How a changed line relates to a key: `exact` (the whole key) or `leaf` (its last segment). */
export function mentionsKey(line: string, key: string): 'exact' | 'leaf' | null {
  const squashed = line.toLowerCase().replace(/[^a-z0-9]/g, '');
  const { exact, leaf } = keyTokens(key);
  if (exact.length >= 4 && squashed.includes(exact)) return 'exact';
  if (leaf && squashed.includes(leaf)) return 'leaf';
  return null;
}

const MANIFESTS = new Set([
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb',
  'go.mod', 'go.sum',
  'build.gradle', 'build.gradle.kts', 'settings.gradle', 'gradle.lockfile', 'libs.versions.toml', 'pom.xml',
  'requirements.txt', 'constraints.txt', 'Pipfile', 'Pipfile.lock', 'poetry.lock', 'pyproject.toml', 'setup.py', 'setup.cfg', 'uv.lock',
  'Gemfile', 'Gemfile.lock', 'Cargo.toml', 'Cargo.lock', 'composer.json', 'composer.lock', 'mix.exs', 'mix.lock',
]);

/** A dependency manifest or lockfile. */
export function isManifest(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return MANIFESTS.has(base) || /^requirements[-.\w]*\.txt$/.test(base);
}

/** CI pipelines, linters, docs and tests: changes there do not ship behaviour. */
export function isToolingOrDocs(path: string): boolean {
  return /^(\.github|\.gitlab|\.circleci|\.buildkite|\.husky|\.vscode|\.idea)\/|(^|\/)(\.gitlab-ci\.yml|Jenkinsfile|\.eslintrc[\w.]*|\.prettierrc[\w.]*|\.editorconfig|\.pre-commit-config\.yaml|codecov\.yml)$|(^|\/)(test|tests|__tests__|spec|docs?)\/|\.(spec|test)\.\w+$|_test\.go$|Test\d*\.java$|\.md$/.test(path);
}

/** A configuration file the running service reads: env files, deployment values, settings. */
export function isConfigFile(path: string): boolean {
  if (isManifest(path) || isToolingOrDocs(path)) return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/^\.env(\.|$)|\.env$/.test(base)) return true;
  if (/\.(ya?ml|toml|ini|properties|conf|cfg|hcl|tfvars)$/.test(base)) return true;
  if (/(^|\/)(config|configs|conf|settings|deploy|deployment|helm|charts|k8s|kubernetes|infra|env)\//.test(path)) return /\.(json|js|ts|py|rb|yml|yaml|env|toml|ini|properties|conf)$|^[^.]+$/.test(base);
  return /^(settings|config|configuration|application)\.(py|js|ts|json|rb)$/.test(base);
}

export interface DiffLine {
  line: number;
  text: string;
  /** The same text (up to whitespace) is on the other side of the hunk: a re-indent, not a change. */
  whitespaceOnly: boolean;
}

export interface DiffHunk {
  oldStart: number;
  newStart: number;
  added: DiffLine[];
  removed: DiffLine[];
}

export interface DiffFile {
  path: string;
  hunks: DiffHunk[];
  /** This file's part of the patch, as text. */
  patch: string;
}

/** Parses `git show --patch` output into files and hunks, with new-side line numbers for additions. */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | null = null;
  let hunk: DiffHunk | null = null;
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const match = / b\/(.+)$/.exec(line);
      file = { path: match ? match[1] : '', hunks: [], patch: line };
      files.push(file);
      hunk = null;
      continue;
    }
    if (!file) continue;
    file.patch += `\n${line}`;
    if (line.startsWith('+++ ')) {
      const path = line.slice(4).replace(/^b\//, '');
      if (path !== '/dev/null') file.path = path;
      continue;
    }
    if (line.startsWith('--- ')) continue;
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (header) {
      oldLine = Number(header[1]);
      newLine = Number(header[2]);
      hunk = { oldStart: oldLine, newStart: newLine, added: [], removed: [] };
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    if (line.startsWith('+')) hunk.added.push({ line: newLine++, text: line.slice(1), whitespaceOnly: false });
    else if (line.startsWith('-')) hunk.removed.push({ line: newLine, text: line.slice(1), whitespaceOnly: false });
    else if (line.startsWith(' ')) {
      oldLine++;
      newLine++;
    }
  }
  for (const h of files.flatMap((f) => f.hunks)) {
    const squash = (t: string) => t.replace(/\s+/g, '');
    const removed = new Set(h.removed.map((r) => squash(r.text)));
    const added = new Set(h.added.map((a) => squash(a.text)));
    for (const a of h.added) a.whitespaceOnly = removed.has(squash(a.text));
    for (const r of h.removed) r.whitespaceOnly = added.has(squash(r.text));
  }
  return files;
}

/** Lines a hunk really changed (whitespace-only edits aside), as text. */
export function changedLines(hunk: DiffHunk): DiffLine[] {
  return [...hunk.added, ...hunk.removed].filter((l) => !l.whitespaceOnly);
}

/** Lines in the new version a hunk really touched: its additions, or where a deletion happened. */
export function touchedLines(hunk: DiffHunk): number[] {
  return changedLines(hunk).map((l) => l.line);
}

/** Failure mechanisms whose code a change can touch. A fixed list: the heuristic weighs each per category. */
export const MECHANISMS = ['pool', 'memory', 'lock', 'cache', 'timeout'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

const MECHANISM_PATTERNS: Record<Mechanism, RegExp> = {
  pool: /\bpool\w*|\bacquire\w*|\brelease\(|\bgetConnection\b|\bconnect\(|\bcheckout\b|\bcreatePool\b|\bmax_?connections\b|\bpool_?size\b|maximumPoolSize|connectionLimit|\bmax_?overflow\b|\.end\(\)|\.close\(\)|\.release\(\)|\bfinally\b|\bSessionLocal\b|\bsessionmaker\b/i,
  memory: /(\bnew (Map|Set|Array)\b|\.push\(|\.append\(|\.add\(|\.set\(|\.on\(|addListener|addEventListener|setInterval|\bstatic\b.*(List|Map|Set)|\bglobal\b|removeListener|\.delete\(|\.clear\(|\bmax_?size\b|maxSize|\bevict|\blru\b|WeakMap|WeakRef)/i,
  lock: /\b(transaction|BEGIN|COMMIT|ROLLBACK|FOR UPDATE|LOCK|isolation|SERIALIZABLE|CREATE (UNIQUE )?INDEX|DROP INDEX|lock_?timeout|statement_?timeout|innodb_lock_wait_timeout|select_for_update|with_for_update)\b|@Transactional\b/i,
  cache: /\b\w*(cache|Cache|ttl|TTL|expire|Expire|jitter|Jitter|singleflight|inFlight|in_flight|inflight|coalesc|dogpile|stale|memoiz|getOrSet|getOrLoad)\w*\b/,
  timeout: /\b\w*(timeout|Timeout|TIMEOUT|deadline|Deadline|retries|Retries|RETRIES|backoff|Backoff|keepAlive|circuit|Circuit)\w*\b/,
};

/** How many changed lines of a diff look like each mechanism's code (comments excluded). */
export function mechanismHits(files: DiffFile[]): Partial<Record<Mechanism, number>> {
  const hits: Partial<Record<Mechanism, number>> = {};
  for (const file of files) {
    for (const hunk of file.hunks) {
      for (const { text } of changedLines(hunk)) {
        const code = text.trim();
        if (!code || /^(\/\/|#|\*|\/\*|--)/.test(code)) continue;
        for (const mechanism of MECHANISMS) if (MECHANISM_PATTERNS[mechanism].test(code)) hits[mechanism] = (hits[mechanism] ?? 0) + 1;
      }
    }
  }
  return hits;
}

const COMMON_WORDS = new Set(
  ('const let var function return await async this self null undefined true false none new throw catch else elif class import from export default public private static final void int string number boolean length value values result data item items error err index count total await yield self then each with when where while break continue string list dict map get set for def try except raise pass lambda func range make nil type struct interface package println print printf console log info warn debug args kwargs ctx req res next context response request options params config math json object array promise date buffer symbol regexp process window document module require exports super' +
    ' select from where update insert into values join group having limit offset delete execute query fetch fetchall first session format parse split replace slice filter reduce apply call bind append close open read write send emit handle handler callback resolve reject').split(' '),
);

/** Identifiers on a line: not keywords or ubiquitous names. */
export function identifiers(line: string): string[] {
  const names = line.match(/[A-Za-z_$][A-Za-z0-9_$]{3,}/g) ?? [];
  return [...new Set(names.filter((name) => !COMMON_WORDS.has(name.toLowerCase())))];
}

/** Specific enough that a diff mentioning it is a lead: long, or camel/snake/constant case. */
export function isSignificantIdentifier(name: string): boolean {
  return name.length >= 6 || /[A-Z_]/.test(name.slice(1));
}

/**
 * The identifiers a crashing line depends on: its own, plus (one hop back) those of the nearest
 * line above that assigns one of them — `n = total / PAGE_SIZE` feeding `new Array(n)`.
 */
export function crashLineIdentifiers(lines: string[], line: number, lookBack = 30): string[] {
  const names = new Set(identifiers(lines[line - 1] ?? ''));
  for (const name of [...names]) {
    const assigns = new RegExp(`(^|[^.\\w$])${name.replace(/\$/g, '\\$')}\\s*(:[^=]{1,60})?(=|:=)(?![=>])`);
    for (let l = line - 1; l >= Math.max(1, line - lookBack); l--) {
      const text = lines[l - 1] ?? '';
      if (!assigns.test(text)) continue;
      for (const n of identifiers(text)) names.add(n);
      break;
    }
  }
  return [...names].filter(isSignificantIdentifier);
}
