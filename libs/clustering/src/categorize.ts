export const CATEGORIES = [
  'null_reference',
  'type_error',
  'timeout',
  'memory',
  'permission',
  'network',
  'database',
  'assertion',
  'concurrency',
  'resource_exhaustion',
  'configuration',
  'stack_overflow',
  'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Checked in order: the first match wins, so the more specific categories come first. */
const RULES: ReadonlyArray<readonly [Exclude<Category, 'unknown'>, RegExp]> = [
  ['stack_overflow', /stack.?overflow|too much recursion|maximum call stack|recursion.?(error|depth)|stack (size|space) exceeded|goroutine stack exceeds/],
  ['memory', /out.?of.?memory|outofmemory|memory.?error|heap out of memory|javascript heap|allocation failed|cannot allocate memory|\boom\b|gc overhead|memory (limit|exhausted)/],
  [
    'null_reference',
    /null.?pointer|null.?reference|nil pointer|nil map|null.?(property|access|deref)|undefined.?(property|access)|cannot read propert(y|ies) of (null|undefined)|cannot set propert(y|ies) of (null|undefined)|\b(is|are) (null|undefined)\b|(undefined|null) is not an object|nonetype|'none' ?type|on a null object|can't access property|none_attribute/,
  ],
  [
    'database',
    /\bsql|sqlstate|database|\bdb\b|deadlock detected|constraint (failed|violation)|violates .*constraint|duplicate key|unique (violation|constraint)|integrity ?error|relation "?[\w.]+"? does not exist|no such table|clickhouse|postgres|mysql|sqlite|mongo|knex|sequelize|prisma|hibernate|jdbc|acquiring a connection|connection pool|pool is (probably )?full/,
  ],
  ['timeout', /time(d)?.?out|timeout|deadline.?exceeded|etimedout|took too long/],
  [
    'network',
    /network|\b(econnrefused|econnreset|econnaborted|enotfound|ehostunreach|enetunreach|epipe)\b|connection (refused|reset|closed|aborted)|failed to fetch|load failed|socket hang up|unknownhost|name resolution|getaddrinfo|\bssl\b|\btls\b|certificate|connect(ion)?.?error|unreachable|\b50[234]\b/,
  ],
  ['permission', /permission|forbidden|\b40[13]\b|access (is )?denied|unauthori[sz]ed|\b(eacces|eperm)\b|not allowed|security.?exception|not authori[sz]ed|insufficient (scope|privilege)/],
  [
    'concurrency',
    /concurrent.?modification|race.?condition|deadlock|data race|concurrent map|lock (timeout|wait)|optimistic.?lock|illegal.?monitor|mutex|interrupted|already (locked|in use)|stale (element|object)|conflict/,
  ],
  [
    'resource_exhaustion',
    /too many (open files|connections|requests|clients)|\b(emfile|enfile|enospc)\b|no space left|quota|rate.?limit|exhausted|\b429\b|capacity|throttl|backpressure|queue (is )?full/,
  ],
  [
    'configuration',
    /config|environment variable|env var|missing (key|setting|option|secret)|not configured|invalid (setting|option)|cannot find module|module not found|modulenotfound|no module named|classnotfound|noclassdeffound|importerror|improperly.?configured|no such file/,
  ],
  ['assertion', /assert|invariant|precondition|illegal.?state|unreachable|should not happen|should never happen|unexpected state|sanity check/],
  [
    'type_error',
    /type.?error|type.?mismatch|classcast|cannot be cast|is not a function|not.?a.?function|is not iterable|not.?iterable|not callable|unsupported operand|invalid type|is not a constructor|illegal.?argument|value.?error|invalid literal|number.?format|cannot convert|must be of type/,
  ],
];

/** Error types that say only "something went wrong": the message has to tell the category. */
const VAGUE_TYPES = /^(error|exception|runtimeexception|runtime_error|runtimeerror|throwable|internalerror|panic|unknown|typeerror|uncaught|unhandledrejection)$/;

function match(text: string): Category | null {
  const t = text.toLowerCase();
  if (!t.trim()) return null;
  for (const [category, pattern] of RULES) if (pattern.test(t)) return category;
  return null;
}

function shortType(errorType: string): string {
  return (errorType.split(/[.$]/).pop() ?? errorType).trim();
}

/**
 * One coarse category per error, for priorities and dashboards. The canonical kind is the most
 * reliable signal, a specific error type next, the message after that; a vague type like JavaScript's
 * TypeError (a null access as often as a real type error) defers to the message.
 */
export function categorize(input: { errorType: string; canonicalKind: string; message: string }): Category {
  const type = shortType(input.errorType);
  const vague = VAGUE_TYPES.test(type.toLowerCase());
  return (
    match(input.canonicalKind.replace(/_/g, ' ')) ??
    match(input.canonicalKind) ??
    (vague ? null : match(splitCamel(type))) ??
    match(input.message) ??
    match(splitCamel(type)) ??
    'unknown'
  );
}

function splitCamel(name: string): string {
  return `${name} ${name.replace(/([a-z0-9])([A-Z])/g, '$1 $2')}`;
}
