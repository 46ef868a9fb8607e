/**
 * Frames that appear in the stacks of unrelated bugs (runtimes, frameworks, event loops, test runners,
 * entry points): sharing one says next to nothing about sharing a root cause. A built-in stoplist,
 * the fixed part of an IDF-like weighting; document-frequency stats can refine it per project.
 */
const GENERIC_LOCATIONS: RegExp[] = [
  /^node:/,
  /^(<anonymous>|\[native code\]|native|internal)$/,
  /^(java\.lang\.reflect|java\.lang\.Thread|java\.util\.concurrent|sun\.reflect|jdk\.internal|java\.lang\.invoke)/,
  /^(android\.os\.(Handler|Looper)|android\.app\.(ActivityThread|Instrumentation)|com\.android\.internal|dalvik\.system|kotlinx\.coroutines|kotlin\.coroutines)/,
  /^(org\.junit|junit\.|org\.springframework\.(aop|cglib|web\.servlet\.FrameworkServlet|web\.servlet\.DispatcherServlet)|org\.apache\.catalina|org\.apache\.tomcat|io\.netty\.util\.concurrent)/,
  /^\?$/,
];

/** Names that say nothing wherever they are: anonymous code, entry points, runtime and framework internals. */
const GENERIC_FUNCTIONS: RegExp[] = [
  /^(\?|<anonymous>|anonymous|<module>|<lambda>|<listcomp>|<genexpr>|eval|main|Main|_start|__libc_start_main)$/,
  /^(processTicksAndRejections|listOnTimeout|processTimers|runMicrotasks|runNextTicks|_compile|_load|executeUserEntryPoint|__awaiter|__generator|asyncGeneratorStep|_asyncToGenerator|tryCatch|invokeGuardedCallback\w*|callCallback\w*|dispatchEvent|dispatchDiscreteEvent|batchedUpdates\$?\w*|flushSync\w*|commitRoot\w*|performWorkUntilDeadline|workLoop\w*|renderWithHooks|beginWork\$?\w*|performUnitOfWork|callWithAsyncErrorHandling|callWithErrorHandling)$/,
  /^(goexit|tRunner|_run_once|run_until_complete|run_forever|runTest|runTestInternal|callAsyncCircusFn|_callCircusTest|pytest_pyfunc_call|sentryWrapped)$/,
];

/** Plumbing names (run, call, apply, next, …): generic in library code, but in-app code may really be named so. */
const VAGUE_FUNCTIONS =
  /^(run|call|apply|invoke|bind|next|step|handle|dispatch|emit|then|resolve|fulfilled|rejected|_next|_throw|start|wrapper|inner|__call__|_run|loop|dispatchMessage|runWorker|forEach|map|filter|reduce|some|every|setTimeout|setInterval|requestAnimationFrame|Promise|<init>|<clinit>)$/;

/**
 * Dispatchers and entry callbacks (a job runner's `execute`, `handleMessage`, `onViewCreated`, `onClick`):
 * they call many unrelated things, so sharing one is no sign of a shared root cause.
 */
const DISPATCH_LIKE =
  /^(execute|dispatch|handle|run|process|invoke|perform|consume|poll|loop|tick|work|do_?work|call|__call__|main)(_?(jobs?|tasks?|requests?|messages?|events?|actions?|commands?|queue|next|pending|all|once))?$|^on[A-Z_]\w*$|^handle[A-Z_]\w*$/i;

function split(token: string): [location: string, fn: string] {
  const sep = token.lastIndexOf(':');
  return sep >= 0 ? [token.slice(0, sep), token.slice(sep + 1)] : ['', token];
}

/** A frame that carries (almost) no information about the bug; `inApp` keeps `Job.run` of our own code informative. */
export function isGenericToken(token: string, inApp = false): boolean {
  const [location, fn] = split(token);
  if (GENERIC_LOCATIONS.some((r) => r.test(location)) || GENERIC_FUNCTIONS.some((r) => r.test(fn))) return true;
  return !inApp && VAGUE_FUNCTIONS.test(fn);
}

export function isDispatchLike(token: string): boolean {
  return DISPATCH_LIKE.test(split(token)[1]);
}

/**
 * Per project, in how many documents each frame token occurs. Count clusters, not issues: a frame that
 * many issues of one root cause share is evidence for that cluster, while one that many different
 * clusters pass through (a router, a job runner, a base component) is plumbing.
 */
export interface FrameStats {
  documents: number;
  counts: ReadonlyMap<string, number>;
}

/** Below this many documents the counts are too noisy to trust. */
const MIN_DOCUMENTS = 30;
/** A frame in up to this share of documents keeps full weight. */
const COMMON_SHARE = 0.05;

/** 1 for a rare frame, down to 0.15 for one that appears in every document (log-scaled, IDF-like). */
export function frequencyFactor(token: string, stats: FrameStats | undefined): number {
  // Written so that missing or nonsense stats (NaN, negative counts) leave the weight alone.
  if (!stats || !(stats.documents >= MIN_DOCUMENTS)) return 1;
  const share = Math.min(1, (stats.counts.get(token) ?? 0) / stats.documents);
  if (!(share > COMMON_SHARE)) return 1;
  return Math.max(0.15, 1 - Math.log(share / COMMON_SHARE) / Math.log(1 / COMMON_SHARE));
}
