import { categorize } from './categorize';
import { type FrameStats, frequencyFactor, isDispatchLike, isGenericToken } from './generic';
import type { IssueSignature } from './signature';

export interface SimilarityBreakdown {
  /** 0..1: the combined evidence, scaled by how well the error kinds agree. */
  score: number;
  /** Position-weighted alignment of the two stacks (TraceSim-like). */
  stack: number;
  /** 1 when both crash in the same top in-app frame (or, for environmental errors, the same library frame). */
  crashSite: number;
  /** The strongest in-app frame both pass through close to their crash sites ("the same null in Z"). */
  deepFrame: number;
  /** 1 same canonical kind, 0.5 compatible kinds, 0 different. */
  kind: number;
  /** Tokens both stacks share in the alignment, crash site first; in-app frames before others. */
  matchedFrames: string[];
}

export interface SimilarityOptions {
  /** Per-project document frequency of frame tokens, to down-weight frames many clusters pass through. */
  frameStats?: FrameStats;
}

// Weights of a frame by what it is: an in-app frame says most about a bug, a library frame less,
// a generic runtime/framework frame almost nothing.
const IN_APP_WEIGHT = 1;
const LIBRARY_WEIGHT = 0.25;
const GENERIC_WEIGHT = 0.03;
/** Only this many frames from the crash site take part: lower frames are entry points and plumbing. */
const MAX_DEPTH_FRAMES = 48;
/** The weight of an in-app crash site on both sides: less total weight than this is weak evidence. */
const MIN_EVIDENCE = 2 * IN_APP_WEIGHT;
/** How much a shared crash site and a shared near frame count as evidence (noisy-OR strengths). */
const CRASH_SITE_STRENGTH = 0.6;
const DEEP_FRAME_STRENGTH = 0.75;
/**
 * A shared library crash site (a driver's acquireConnection, a socket's connect) with no in-app crash
 * site in common: for environmental errors (timeouts, network, database, exhaustion) the fault lies
 * outside our code, so every caller meets the same root cause; for code bugs (a null handed to
 * requireNonNull, bad input to parseInt) each caller is its own bug.
 */
const ENVIRONMENTAL_CATEGORIES = new Set(['timeout', 'network', 'database', 'resource_exhaustion']);
const LIBRARY_CRASH_SITE_CODE_BUG = 0.25;
/** Dispatchers and entry points make poor "Z" frames: they call many unrelated things. */
const DISPATCHER_AS_Z = 0.2;
const ENTRY_AS_Z = 0.2;
/**
 * Two crashes that reach Z along the same path and part only after it are two things Z does for the
 * same caller (siblings), the everyday look-alike; a root cause in Z shows as different callers
 * converging on Z and failing right after it the same way.
 */
const SIBLING_AS_Z = 0.2;
/**
 * How near the crash site (counted in in-app frames) a shared frame must be to stand for a shared
 * root cause: the crash site itself or its in-app caller count fully, two frames down a little, and
 * it needs both sides near (the product of the two).
 */
const PROXIMITY = [1, 1, 0.45, 0.15];

interface PreparedStack {
  /** Crash site first. */
  tokens: string[];
  inApp: boolean[];
  generic: boolean[];
  /** Position-weighted importance of each frame. */
  weights: number[];
  /** How many informative in-app frames lie between the crash site and this frame. */
  inAppDepth: number[];
  /** Index of the entry frame: the informative in-app frame farthest from the crash site (-1 if none). */
  entry: number;
  /** For each frame, the nearest informative in-app frame below it (its in-app caller), '' if none. */
  callerOf: string[];
  total: number;
}

/**
 * Prepared stacks without frame stats, by frames array, for the same reason as categories (read-only
 * once made). With stats the weights follow counts their owner may update, so those are not kept.
 */
const preparedWithoutStats = new WeakMap<string[], { inApp: boolean[] | undefined; stack: PreparedStack }>();

function preparedStack(frames: string[], inApp: boolean[] | undefined, stats: FrameStats | undefined): PreparedStack {
  if (stats) return prepare(frames, inApp, stats);
  const cached = preparedWithoutStats.get(frames);
  if (cached && cached.inApp === inApp) return cached.stack;
  const stack = prepare(frames, inApp, undefined);
  preparedWithoutStats.set(frames, { inApp, stack });
  return stack;
}

function prepare(frames: string[], inApp: boolean[] | undefined, stats: FrameStats | undefined): PreparedStack {
  const tokens: string[] = [];
  const app: boolean[] = [];
  const generic: boolean[] = [];
  const weights: number[] = [];
  const inAppDepth: number[] = [];
  let depth = 0;
  let appDepth = 0;
  let total = 0;
  let entry = -1;
  for (let k = frames.length - 1; k >= 0 && tokens.length < MAX_DEPTH_FRAMES; k--) {
    const token = frames[k];
    const isApp = inApp && inApp.length === frames.length ? inApp[k] === true : !isGenericToken(token);
    const isGeneric = isGenericToken(token, isApp);
    const kindWeight = isGeneric ? GENERIC_WEIGHT : isApp ? IN_APP_WEIGHT : LIBRARY_WEIGHT;
    const weight = (kindWeight * frequencyFactor(token, stats)) / (1 + depth);
    tokens.push(token);
    app.push(isApp);
    generic.push(isGeneric);
    weights.push(weight);
    inAppDepth.push(appDepth);
    total += weight;
    // Depth grows with what a frame means: ten framework frames in between push a frame down less than one of ours.
    depth += kindWeight;
    if (isApp && !isGeneric) {
      entry = tokens.length - 1;
      appDepth++;
    }
  }
  const callerOf = new Array<string>(tokens.length).fill('');
  let below = '';
  for (let i = tokens.length - 1; i >= 0; i--) {
    callerOf[i] = below;
    if (app[i] && !generic[i]) below = tokens[i];
  }
  return { tokens, inApp: app, generic, weights, inAppDepth, entry, callerOf, total };
}

/**
 * Weighted edit distance between two stacks read from the crash site down: leaving a frame unmatched
 * costs its weight, matching equal frames at different depths costs the difference of their weights.
 * Similarity is 1 - distance / (total weight of both), so 1 for identical stacks, 0 for nothing shared.
 */
function alignStacks(a: PreparedStack, b: PreparedStack): { similarity: number; matched: number[][] } {
  const n = a.tokens.length;
  const m = b.tokens.length;
  if (a.total + b.total === 0) return { similarity: 0, matched: [] };
  // dist[i][j]: cost of aligning a[i..] with b[j..].
  const dist: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) dist[i][m] = dist[i + 1][m] + a.weights[i];
  for (let j = m - 1; j >= 0; j--) dist[n][j] = dist[n][j + 1] + b.weights[j];
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      let best = Math.min(dist[i + 1][j] + a.weights[i], dist[i][j + 1] + b.weights[j]);
      if (a.tokens[i] === b.tokens[j]) best = Math.min(best, dist[i + 1][j + 1] + Math.abs(a.weights[i] - b.weights[j]));
      dist[i][j] = best;
    }
  }
  const matched: number[][] = [];
  let i = 0;
  let j = 0;
  const eps = 1e-12;
  while (i < n && j < m) {
    if (a.tokens[i] === b.tokens[j] && Math.abs(dist[i][j] - (dist[i + 1][j + 1] + Math.abs(a.weights[i] - b.weights[j]))) < eps) {
      matched.push([i, j]);
      i++;
      j++;
    } else if (Math.abs(dist[i][j] - (dist[i + 1][j] + a.weights[i])) < eps) i++;
    else j++;
  }
  // Two stacks of nothing but plumbing are not "identical" in any useful sense: below the weight of
  // one in-app frame on each side, the similarity shrinks with the evidence there is.
  const total = a.total + b.total;
  return { similarity: Math.max(0, (total - dist[0][0]) / Math.max(total, MIN_EVIDENCE)), matched };
}

function topInApp(s: PreparedStack): number {
  for (let i = 0; i < s.tokens.length; i++) if (s.inApp[i] && !s.generic[i]) return i;
  return -1;
}

function crashSiteScore(a: PreparedStack, b: PreparedStack, environmental: boolean, stats: FrameStats | undefined): number {
  const ta = topInApp(a);
  const tb = topInApp(b);
  if (ta >= 0 && tb >= 0 && a.tokens[ta] === b.tokens[tb]) return frequencyFactor(a.tokens[ta], stats);
  // Both crash in the same library frame from different code of ours.
  if (a.tokens.length > 0 && a.tokens[0] === b.tokens[0] && !a.generic[0] && !a.inApp[0] && !b.inApp[0]) {
    return (environmental ? 1 : LIBRARY_CRASH_SITE_CODE_BUG) * frequencyFactor(a.tokens[0], stats);
  }
  return 0;
}

function deepFrameScore(a: PreparedStack, b: PreparedStack, stats: FrameStats | undefined): number {
  const firstInB = new Map<string, number>();
  for (let j = 0; j < b.tokens.length; j++) {
    if (b.inApp[j] && !b.generic[j] && !firstInB.has(b.tokens[j])) firstInB.set(b.tokens[j], j);
  }
  let best = 0;
  const seen = new Set<string>();
  for (let i = 0; i < a.tokens.length; i++) {
    const token = a.tokens[i];
    if (!a.inApp[i] || a.generic[i] || seen.has(token)) continue;
    seen.add(token);
    const j = firstInB.get(token);
    if (j === undefined) continue;
    // Both crashing right in it is the crash site's evidence, not a deeper frame's.
    if (a.inAppDepth[i] === 0 && b.inAppDepth[j] === 0) continue;
    const pa = PROXIMITY[a.inAppDepth[i]] ?? 0;
    const pb = PROXIMITY[b.inAppDepth[j]] ?? 0;
    const role =
      (isDispatchLike(token) ? DISPATCHER_AS_Z : 1) *
      (i === a.entry || j === b.entry ? ENTRY_AS_Z : 1) *
      (a.callerOf[i] === b.callerOf[j] ? SIBLING_AS_Z : 1);
    best = Math.max(best, pa * pb * role * frequencyFactor(token, stats));
  }
  return best;
}

/** Kinds that say only "an error": wrappers and catch-alls (normalize falls back to a slug of the type). */
const GENERIC_KINDS = new Set(['', 'unknown', 'error', 'exception', 'generic', 'other', 'panic', 'message', 'runtime_error', 'runtime_exception', 'throwable', 'execution_exception', 'completion_exception', 'invocation_target_exception', 'undeclared_throwable_exception', 'aggregate_error']);

/** 1 same canonical kind, 0.5 compatible (same category), 0 otherwise. */
export function kindAgreement(a: IssueSignature, b: IssueSignature): number {
  const ka = a.canonicalKind.trim().toLowerCase();
  const kb = b.canonicalKind.trim().toLowerCase();
  if (!GENERIC_KINDS.has(ka) && ka === kb) return 1;
  if (GENERIC_KINDS.has(ka) && GENERIC_KINDS.has(kb)) {
    // No canonical kind to go by: the error type and the message shape have to agree instead.
    if (a.errorType !== b.errorType) return 0;
    return a.messageTemplate === b.messageTemplate ? 1 : 0.5;
  }
  const ca = categoryOf(a);
  return ca !== 'unknown' && ca === categoryOf(b) ? 0.5 : 0;
}

/** Per signature: a new issue is compared with every member of every cluster, and a signature never changes. */
const categories = new WeakMap<IssueSignature, string>();

function categoryOf(s: IssueSignature): string {
  let category = categories.get(s);
  if (category === undefined) {
    category = categorize({ errorType: s.errorType, canonicalKind: s.canonicalKind, message: s.messageTemplate });
    categories.set(s, category);
  }
  return category;
}

/** Kind agreement scales the evidence: a shared stack with different kinds of error is usually two bugs. */
function kindFactor(kind: number): number {
  return kind >= 1 ? 1 : kind >= 0.5 ? 0.85 : 0.35;
}

function compareStacks(
  a: PreparedStack,
  b: PreparedStack,
  kind: number,
  environmental: boolean,
  stats: FrameStats | undefined,
): SimilarityBreakdown {
  const { similarity: stack, matched } = alignStacks(a, b);
  const crashSite = crashSiteScore(a, b, environmental, stats);
  const deepFrame = deepFrameScore(a, b, stats);
  const evidence = 1 - (1 - stack) * (1 - CRASH_SITE_STRENGTH * crashSite) * (1 - DEEP_FRAME_STRENGTH * deepFrame);
  const inAppMatches = matched.filter(([i]) => a.inApp[i] && !a.generic[i]).map(([i]) => a.tokens[i]);
  const otherMatches = matched.filter(([i]) => !(a.inApp[i] && !a.generic[i])).map(([i]) => a.tokens[i]);
  return {
    score: round(evidence * kindFactor(kind)),
    stack: round(stack),
    crashSite: round(crashSite),
    deepFrame: round(deepFrame),
    kind,
    matchedFrames: [...inAppMatches, ...otherMatches],
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const NOTHING: SimilarityBreakdown = { score: 0, stack: 0, crashSite: 0, deepFrame: 0, kind: 0, matchedFrames: [] };

/**
 * How likely two issues share a root cause, 0..1. Symmetric. Compares the primary stacks, and the
 * root-cause stacks when either has a chained cause (a wrapper exception hides where things broke).
 */
export function similarity(a: IssueSignature, b: IssueSignature, options: SimilarityOptions = {}): SimilarityBreakdown {
  if (a.project !== b.project) return { ...NOTHING, matchedFrames: [] };
  const stats = options.frameStats;
  const kind = kindAgreement(a, b);
  if (a.frames.length === 0 && b.frames.length === 0 && a.causeFrames.length === 0 && b.causeFrames.length === 0) {
    // Stackless issues (logged messages): only the same type and message shape says "same".
    const same = a.errorType === b.errorType && a.messageTemplate === b.messageTemplate ? 1 : 0;
    return { ...NOTHING, score: same * kindFactor(kind), stack: same, kind, matchedFrames: [] };
  }
  const environmental = kind > 0 && ENVIRONMENTAL_CATEGORIES.has(categoryOf(a)) && categoryOf(a) === categoryOf(b);
  const primaryA = preparedStack(a.frames, a.inApp, stats);
  const primaryB = preparedStack(b.frames, b.inApp, stats);
  const primary = compareStacks(primaryA, primaryB, kind, environmental, stats);
  if (a.causeFrames.length === 0 && b.causeFrames.length === 0) return primary;
  const rootA = a.causeFrames.length > 0 ? preparedStack(a.causeFrames, a.causeInApp, stats) : primaryA;
  const rootB = b.causeFrames.length > 0 ? preparedStack(b.causeFrames, b.causeInApp, stats) : primaryB;
  const root = compareStacks(rootA, rootB, kind, environmental, stats);
  return root.score > primary.score ? root : primary;
}
