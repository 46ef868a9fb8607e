/*
 * One kind for an error however a browser or runtime words it. The list is fixed: clustering and
 * grouping may rely on these names. Anything unrecognised falls back to a slug of the error type.
 */

export const CANONICAL_KINDS = [
  'null_property_access', // reading a property of undefined/null/None
  'null_reference', // dereferencing null/nil: Java NPE, Go nil pointer, .NET NullReference
  'not_a_function',
  'undefined_variable',
  'not_iterable',
  'const_assignment',
  'stack_overflow',
  'out_of_memory',
  'index_out_of_range',
  'division_by_zero',
  'concurrent_modification',
  'chunk_load_failed',
  'network_error',
  'json_parse_error',
  'timeout',
] as const;
export type CanonicalKind = (typeof CANONICAL_KINDS)[number];

const KNOWN = new Set<string>(CANONICAL_KINDS);
export function isCanonicalKind(kind: string): kind is CanonicalKind {
  return KNOWN.has(kind);
}

// Message patterns, checked in order; the first that matches wins.
const BY_MESSAGE: ReadonlyArray<readonly [CanonicalKind, RegExp]> = [
  // Chrome "Cannot read properties of undefined (reading 'x')", old Chrome "Cannot read property 'x' of null",
  // Firefox "can't access property "x", a is undefined" / "a is undefined" / "a has no properties",
  // Safari "undefined is not an object (evaluating 'a.x')", Python "'NoneType' object has no attribute".
  ['null_property_access', /^Cannot (?:read|set) propert(?:y|ies) .{0,256}\b(?:of|on) (?:undefined|null)\b|^can't access property .{0,256}, .{0,256} is (?:undefined|null)$|^[\w$.[\]'"]{1,256} is (?:undefined|null)$|^[\w$.[\]'"]{1,256} has no properties$|^(?:undefined|null) is not an object(?: \(evaluating .{0,512}\))?\.?$|^'NoneType' object (?:has no attribute|is not subscriptable)/],
  ['null_reference', /invalid memory address or nil pointer dereference|^nil pointer dereference|Unexpectedly found nil while (?:implicitly )?unwrapping/],
  ['not_a_function', /^[^\n]{0,256}? is not a function\b|^'NoneType' object is not callable/],
  ['undefined_variable', /^[\w$]{1,256} is not defined$|^Can't find variable: |^name '[^']{1,256}' is not defined/],
  ['not_iterable', /^[^\n]{0,256}? is not iterable\b|^'NoneType' object is not iterable/],
  ['const_assignment', /^Assignment to constant variable\.?$|^invalid assignment to const\b|^Attempted to assign to readonly property\.?$/],
  ['stack_overflow', /^Maximum call stack size exceeded\.?$|^too much recursion$|maximum recursion depth exceeded|goroutine stack exceeds|^stack overflow\b/i],
  ['out_of_memory', /JavaScript heap out of memory|^out of memory\b|^runtime: out of memory|Allocation failed/],
  ['index_out_of_range', /index out of range|^list index out of range|^Index \d{1,20} out of bounds/],
  ['division_by_zero', /^\/ by zero$|integer divide by zero|division by zero|division or modulo by zero/],
  ['concurrent_modification', /concurrent map (?:writes|read and map write|iteration and map write)/],
  ['chunk_load_failed', /^Loading (?:CSS )?chunk [\w-]{1,64} failed|^Failed to fetch dynamically imported module|^error loading dynamically imported module|^Importing a module script failed\.?$/],
  ['network_error', /^Failed to fetch$|^fetch failed$|^NetworkError when attempting to fetch resource\.?$|^Load failed$|^Network request failed$/],
  ['json_parse_error', /^Unexpected token .{0,64} in JSON\b|is not valid JSON$|^JSON\.parse: |^JSON Parse error: |^Unexpected end of JSON input$/],
  ['timeout', /context deadline exceeded|^timeout of \d{1,12}ms exceeded$/],
];

// Exception types (the last segment of a qualified name).
// A Map, not an object literal: type names are input, and `__proto__` must not find Object.prototype.
const BY_TYPE: ReadonlyMap<string, CanonicalKind> = new Map(Object.entries({
  NullPointerException: 'null_reference',
  KotlinNullPointerException: 'null_reference',
  NullReferenceException: 'null_reference',
  StackOverflowError: 'stack_overflow',
  RecursionError: 'stack_overflow',
  OutOfMemoryError: 'out_of_memory',
  MemoryError: 'out_of_memory',
  ArrayIndexOutOfBoundsException: 'index_out_of_range',
  StringIndexOutOfBoundsException: 'index_out_of_range',
  IndexOutOfBoundsException: 'index_out_of_range',
  IndexError: 'index_out_of_range',
  ZeroDivisionError: 'division_by_zero',
  ConcurrentModificationException: 'concurrent_modification',
  ChunkLoadError: 'chunk_load_failed',
  JSONDecodeError: 'json_parse_error',
  JsonParseException: 'json_parse_error',
  TimeoutError: 'timeout',
  SocketTimeoutException: 'timeout',
  TimeoutException: 'timeout',
} satisfies Record<string, CanonicalKind>));

function lastSegment(type: string): string {
  const cut = Math.max(type.lastIndexOf('.'), type.lastIndexOf(':'), type.lastIndexOf('/'));
  return cut >= 0 ? type.slice(cut + 1) : type;
}

const slugCache = new Map<string, string>();

/** `java.lang.IllegalStateException` → `illegal_state_exception`, `TypeError` → `type_error`. Memoised: types repeat. */
export function slugifyType(type: string): string {
  const hit = slugCache.get(type);
  if (hit !== undefined) return hit;
  const slug = computeSlug(type);
  if (slugCache.size >= 4096) slugCache.clear();
  slugCache.set(type, slug);
  return slug;
}

function computeSlug(type: string): string {
  const base = lastSegment(type.trim()).slice(0, 128);
  const slug = base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug.length > 0 ? slug : 'error';
}

/** One kind for the error, e.g. `null_property_access`, or a slug of the type when nothing is recognised. */
export function canonicalErrorKind(errorType: string, message: string): string {
  const type = typeof errorType === 'string' ? errorType : '';
  const msg = typeof message === 'string' ? (message.length > 1024 ? message.slice(0, 1024) : message).trim() : '';
  const byType = BY_TYPE.get(lastSegment(type));
  if (byType) return byType;
  if (msg.length > 0) {
    for (const [kind, re] of BY_MESSAGE) if (re.test(msg)) return kind;
  }
  return slugifyType(type);
}
