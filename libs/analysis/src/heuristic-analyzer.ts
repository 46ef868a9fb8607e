import type { Mechanism } from './code-hints';
import { CommitFacts, EvidencePack, EvidenceOf, evidenceId, formatMinutes, itemsOf } from './evidence';
import { CATEGORY_LABELS, Hypothesis, RcaCategory, RootCauseAnalysis, SUSPECT_THRESHOLD, SuspectCommit } from './rca-schema';

/** How the failure presents itself, read from messages, frames and the timeline; independent of any commit. */
export type FailureMode = 'memory' | 'lock' | 'pool' | 'stampede' | 'upstream' | 'defect';

export interface FailureSignals {
  mode: FailureMode;
  /** The phrases that decided it, for the report. */
  because: string[];
  external: boolean;
  crashInThirdParty: boolean;
  /** Minutes from the last deploy before onset to onset; null without one. */
  minutesSinceDeploy: number | null;
  host: string | null;
}

export interface ScoredSuspect {
  facts: CommitFacts;
  score: number;
  kind: 'code' | 'config' | 'dependency';
  reasons: string[];
  evidenceIds: string[];
}

const OOM = /out of memory|heap limit|heap out of memory|OutOfMemoryError|MemoryError|\bENOMEM\b|Allocation failed|memory limit exceeded|OOMKilled|oom-kill|GC overhead limit/i;
const POOL = /\bpool\b.{0,60}\b(full|exhausted|timeout|timed out|limit|exceeded)|acquir\w* (a )?connection|Timeout acquiring|connection is not available|QueuePool limit|too many (clients|connections)|remaining connection slots|no (available|free) connections?|Cannot get a connection|unable to acquire|ConnectionPoolTimeout|pool exhausted/i;
const LOCK = /lock wait timeout|deadlock|lock timeout|could not obtain lock|LockNotAvailable|ER_LOCK_WAIT_TIMEOUT|canceling statement due to lock|LockAcquisitionException|CannotAcquireLock|row lock|lock_timeout|waiting for (a |table )?lock/i;
const TIMEOUT = /timed? ?out|\bETIMEDOUT\b|ESOCKETTIMEDOUT|deadline exceeded|ReadTimeout|ConnectTimeout|SocketTimeout|TimeoutError|\b504\b|Gateway Time-?out|request timeout/i;
const CONNFAIL = /ECONNREFUSED|ECONNRESET|socket hang up|EAI_AGAIN|ENOTFOUND|Connection (refused|reset|aborted)|\b50[23]\b|Service Unavailable|Bad Gateway|upstream connect error|no such host|Name or service not known|ConnectionError|ConnectException/i;
const EXTERNAL = /https?:\/\/|\bapi\.[a-z0-9-]+\.|\b(axios|node-fetch|undici|got|superagent|requests|urllib3|httpx|aiohttp|okhttp3?|HttpClient|RestTemplate|WebClient|net\/http|grpc)\b/i;
const CACHE_CODE = /cache|memo|ttl|stampede|getOrSet|getOrLoad|warm|loader|singleflight/i;

const WINDOW_WEIGHT = { suspect_deploy: 1, earlier_deploy: 0.35, outside: 0.12 } as const;
const MODE_MECHANISM: Partial<Record<FailureMode, Mechanism>> = { pool: 'pool', memory: 'memory', lock: 'lock', stampede: 'cache', upstream: 'timeout' };

/** Reads the failure mode from the evidence: what broke, before asking which change broke it. */
export function readFailureSignals(pack: EvidencePack): FailureSignals {
  const stats = itemsOf(pack, 'stats')[0]?.data;
  const events = itemsOf(pack, 'event').map((e) => e.data);
  const chains = itemsOf(pack, 'chain').flatMap((c) => c.data.links);
  const text = [stats ? `${stats.errorType}: ${stats.messageTemplate} ${stats.canonicalKind}` : '', ...events.map((e) => `${e.errorType}: ${e.message}`), ...chains.map((l) => `${l.type}: ${l.value}`)].join('\n');
  const frames = events.flatMap((e) => e.frames);
  const frameText = frames.map((f) => `${f.function ?? ''} ${f.file ?? ''} ${f.packages.join(' ')}`).join('\n');
  const inAppText = frames
    .filter((f) => f.inApp)
    .map((f) => `${f.function ?? ''} ${f.repoPath ?? f.file ?? ''}`)
    .join('\n');
  const suspectDeploy = itemsOf(pack, 'deploy').find((d) => d.data.role === 'suspect');
  const minutesSinceDeploy = suspectDeploy?.data.minutesBeforeOnset ?? null;
  const external = EXTERNAL.test(text) || EXTERNAL.test(frameText);
  const crashInThirdParty = events.some((e) => e.frames.length > 0 && !e.frames[e.frames.length - 1].inApp);
  const host = /https?:\/\/([a-z0-9.-]+)/i.exec(text)?.[1] ?? /\bhost[=:\s'"]+([a-z0-9.-]+\.[a-z]{2,})/i.exec(text)?.[1] ?? null;
  const because: string[] = [];
  const hit = (re: RegExp, what: string) => {
    const m = re.exec(text);
    if (m) because.push(`${what}: "${m[0]}"`);
    return !!m;
  };
  let mode: FailureMode;
  if (hit(OOM, 'out-of-memory error')) mode = 'memory';
  else if (hit(LOCK, 'lock wait')) mode = 'lock';
  else {
    const pool = hit(POOL, 'connection pool');
    const timeout = hit(TIMEOUT, 'timeout');
    const connfail = hit(CONNFAIL, 'connection failure');
    if ((pool || timeout || connfail) && CACHE_CODE.test(inAppText)) {
      because.push('the failing path recomputes a cached value');
      mode = 'stampede';
    } else if (pool) mode = 'pool';
    else if (timeout || connfail) mode = 'upstream';
    else mode = 'defect';
  }
  return { mode, because, external, crashInThirdParty, minutesSinceDeploy, host };
}

/** Commits ranked by how well they explain the crash: blame and diff proximity, configuration, dependencies, mechanism, timing. */
export function rankSuspects(pack: EvidencePack, signals: FailureSignals = readFailureSignals(pack)): ScoredSuspect[] {
  const blameIds = itemsOf(pack, 'blame');
  const fileItems = itemsOf(pack, 'file');
  const mechanism = MODE_MECHANISM[signals.mode];
  const noRange = pack.range.source === 'none';
  const minutes = signals.minutesSinceDeploy;
  // A regression shows within hours of its deploy; a leak may take days to exhaust memory.
  const horizon = signals.mode === 'memory' ? 72 * 60 : 6 * 60;
  const timing = minutes === null ? 0.9 : minutes <= horizon ? 1 : minutes <= 4 * horizon ? 0.6 : 0.4;

  // In a resource failure (pool, memory, locks) the stack shows a victim, not the cause: nearness to
  // its lines says little, while changes to how the resource is handled say a lot. When the crash is
  // inside a dependency, our own frames are callers of the failing code.
  const victim = signals.mode === 'pool' || signals.mode === 'memory' || signals.mode === 'lock';
  const frameWeight = (victim ? 0.45 : 1) * (signals.crashInThirdParty ? 0.8 : 1);
  const crashingPackages = new Set(itemsOf(pack, 'event').flatMap((e) => e.data.frames.at(-1)?.packages ?? []));

  const scored = itemsOf(pack, 'commit').map(({ data: f }): ScoredSuspect => {
    const parts: Record<'blame' | 'diff' | 'symbols' | 'config' | 'dependency' | 'mechanism', number> = { blame: 0, diff: 0, symbols: 0, config: 0, dependency: 0, mechanism: 0 };
    const reasons: string[] = [];
    const roleWeight = (role: 'origin' | 'caller') => frameWeight * (role === 'origin' ? 1 : 0.7);
    for (const b of f.blamedLines) parts.blame = Math.max(parts.blame, roleWeight(b.role) * (b.distance === 0 ? 0.9 : b.distance <= 1 ? 0.6 : b.distance <= 3 ? 0.4 : 0.25));
    if (parts.blame > 0) {
      const exact = [...new Set(f.blamedLines.filter((b) => b.distance === 0).map((b) => `${b.path}:${b.line}`))];
      const near = f.blamedLines.filter((b) => b.distance > 0).length;
      reasons.push(
        exact.length
          ? `last changed the crashing line${exact.length > 1 ? 's' : ''} ${exact.join(', ')}${near ? ` and ${near} line${near > 1 ? 's' : ''} around ${exact.length > 1 ? 'them' : 'it'}` : ''}`
          : `last changed ${near} line${near > 1 ? 's' : ''} next to the crashing line`,
      );
    }
    for (const s of f.stackFiles) parts.diff = Math.max(parts.diff, roleWeight(s.role) * Math.max(0.2, 0.8 * proximity(s.minDistance)));
    if (f.stackFiles.length) reasons.push(`changes ${f.stackFiles.map((s) => `${s.path}${s.minDistance === null ? '' : ` ${s.minDistance} lines from the ${s.role} frame`}`).join(', ')}`);
    if (f.sharedIdentifiers.length) {
      parts.symbols = frameWeight * Math.min(0.7, 0.5 + 0.1 * (f.sharedIdentifiers.length - 1));
      reasons.push(`changes ${f.sharedIdentifiers.join(', ')}, used on the crashing line`);
    }
    for (const c of f.configKeys) parts.config = Math.max(parts.config, c.match === 'exact' ? 0.8 : 0.55);
    if (f.configKeys.length) reasons.push(`changes configuration the crashing code reads (${f.configKeys.map((c) => `${c.key} in ${c.path}`).join(', ')})`);
    for (const m of f.manifests) {
      const weight = m.packages.some((p) => crashingPackages.has(p)) ? 0.9 : m.packages.length ? 0.8 : signals.crashInThirdParty ? 0.35 : 0.05;
      parts.dependency = Math.max(parts.dependency, weight);
    }
    const named = f.manifests.filter((m) => m.packages.length);
    if (named.length) reasons.push(`changes the version of ${[...new Set(named.flatMap((m) => m.packages))].join(', ')}, which the crash runs through`);
    else if (f.manifests.length && signals.crashInThirdParty) reasons.push(`changes dependency manifests (${f.manifests.map((m) => m.path).join(', ')}) while the crash is in third-party code`);
    const hits = mechanism ? (f.mechanisms[mechanism] ?? 0) : 0;
    if (hits) {
      parts.mechanism = Math.min(signals.mode === 'memory' ? 0.65 : 0.75, 0.4 + 0.12 * hits);
      reasons.push(`${hits} changed line${hits === 1 ? '' : 's'} in ${mechanism} handling`);
    }
    const explained = 1 - Object.values(parts).reduce((p, v) => p * (1 - v), 1);
    const window = noRange ? 0.5 : WINDOW_WEIGHT[f.window];
    const score = round(explained * window * (f.window === 'suspect_deploy' ? timing : 1));
    if (f.window === 'suspect_deploy') reasons.push(`shipped in the deploy right before onset${minutes === null ? '' : ` (${formatMinutes(minutes)} before)`}`);
    else if (f.window === 'earlier_deploy') reasons.push('shipped in the deploy before that, which ran without this error');
    else if (!noRange) reasons.push('predates the deploy range: it did not change when the errors began');
    const kind = parts.dependency >= Math.max(parts.config, parts.blame, parts.diff, parts.symbols) && parts.dependency >= 0.35 ? 'dependency' : parts.config >= Math.max(parts.blame, parts.diff, parts.symbols) && parts.config > 0 ? 'config' : 'code';
    const evidenceIds = [evidenceId.commit(f.sha)];
    for (const b of blameIds) if (b.data.sha === f.sha) evidenceIds.push(b.id);
    for (const c of f.configKeys) evidenceIds.push(evidenceId.env(c.key));
    for (const file of fileItems) if (f.stackFiles.some((s) => s.path === file.data.path) || f.configKeys.some((c) => c.path === file.data.path)) evidenceIds.push(file.id);
    if (f.deployId) evidenceIds.push(evidenceId.deploy(f.deployId));
    return { facts: f, score, kind, reasons, evidenceIds: [...new Set(evidenceIds)].filter((id) => pack.items.some((i) => i.id === id)) };
  });
  const signalCount = (s: ScoredSuspect) => s.facts.blamedLines.length + s.facts.stackFiles.length + s.facts.sharedIdentifiers.length + s.facts.configKeys.length;
  return scored.sort((a, b) => b.score - a.score || signalCount(b) - signalCount(a) || Date.parse(b.facts.authorDate) - Date.parse(a.facts.authorDate));
}

/**
 * The deterministic analysis: failure mode from messages, frames and timeline; suspects ranked from
 * the evidence; confidence from how clearly the top explanation beats the others.
 */
export function analyzeHeuristically(pack: EvidencePack): RootCauseAnalysis {
  const signals = readFailureSignals(pack);
  const suspects = rankSuspects(pack, signals);
  const top = suspects[0];
  const culprit = top && top.score >= SUSPECT_THRESHOLD ? top : null;
  const category = categorize(signals, culprit);
  const timeline = itemsOf(pack, 'timeline')[0]?.data;
  const stats = itemsOf(pack, 'stats')[0]?.data;
  const releases = itemsOf(pack, 'releases')[0]?.data;
  const suspectDeploy = itemsOf(pack, 'deploy').find((d) => d.data.role === 'suspect');
  const events = itemsOf(pack, 'event');

  const confidence = round(confidenceOf(signals, suspects, culprit, category));
  const base = ['ev:stats', 'ev:timeline'].filter((id) => pack.items.some((i) => i.id === id));
  const eventIds = events.slice(0, 2).map((e) => e.id);
  const envIds = itemsOf(pack, 'env').map((e) => e.id);
  const deployIds = suspectDeploy ? [suspectDeploy.id] : [];
  const ctx: TextContext = { pack, signals, category, culprit, suspects, timeline, stats, releases, suspectDeploy, confidence };

  const hypotheses: Hypothesis[] = [];
  if (culprit) {
    hypotheses.push({
      statement: `${CATEGORY_LABELS[category]}: commit ${short(culprit.facts.sha)} ("${culprit.facts.subject}") ${culprit.reasons.join('; ')}.`,
      confidence,
      evidenceIds: unique([...culprit.evidenceIds, ...base, ...eventIds.slice(0, 1)]),
      confirmIf: confirmIf(ctx),
      ruleOutIf: ruleOutIf(ctx),
    });
  } else {
    hypotheses.push({
      statement: noCulpritStatement(ctx),
      confidence,
      evidenceIds: unique([...base, ...deployIds, ...eventIds, ...(signals.mode === 'defect' ? envIds.slice(0, 2) : [])]),
      confirmIf: confirmIf(ctx),
      ruleOutIf: ruleOutIf(ctx),
    });
  }
  for (const other of suspects.filter((s) => s !== culprit && s.score >= 0.15).slice(0, 2)) {
    hypotheses.push({
      statement: `Commit ${short(other.facts.sha)} ("${other.facts.subject}") ${other.reasons.join('; ')}.`,
      confidence: round(Math.min(other.score * 0.6, confidence * 0.6)),
      evidenceIds: other.evidenceIds.length ? other.evidenceIds : [evidenceId.commit(other.facts.sha)],
      confirmIf: `Reverting ${short(other.facts.sha)} alone on a canary stops the errors.`,
      ruleOutIf: `Errors continue on a build without ${short(other.facts.sha)}.`,
    });
  }
  if (culprit && hypotheses.length < 4) {
    hypotheses.push({
      statement: 'Something outside the code (traffic, data, an upstream service) changed at the same time as the deploy.',
      confidence: round(Math.max(0.03, (1 - confidence) * 0.5)),
      evidenceIds: unique([...base, ...deployIds]),
      confirmIf: 'The errors continue after rolling back to the last good release.',
      ruleOutIf: 'Rolling back stops the errors.',
    });
  }
  hypotheses.sort((a, b) => b.confidence - a.confidence);

  const suspectCommits: SuspectCommit[] = suspects
    .filter((s) => s.score >= 0.1)
    .slice(0, 5)
    .map((s) => ({ sha: s.facts.sha, summary: `${s.facts.subject} — ${s.reasons.join('; ')}`.slice(0, 400), score: s.score, evidenceIds: s.evidenceIds.length ? s.evidenceIds : [evidenceId.commit(s.facts.sha)] }));

  const evidenceIds = unique([...hypotheses.flatMap((h) => h.evidenceIds), ...suspectCommits.slice(0, 1).flatMap((s) => s.evidenceIds), ...base, ...(releases ? ['ev:releases'] : []), ...deployIds, ...eventIds]).filter((id) =>
    pack.items.some((i) => i.id === id),
  );

  return {
    analyzer: 'heuristic',
    summary: summaryText(ctx),
    category,
    confidence,
    rootCause: rootCauseText(ctx),
    hypotheses,
    suspectCommits,
    fix: fixOf(ctx),
    test: testText(ctx),
    blastRadius: blastRadiusText(ctx),
    monitorAfterFix: monitorText(ctx),
    rollbackPlan: rollbackText(ctx),
    prevention: preventionText(ctx),
    evidenceIds,
  };
}

function categorize(signals: FailureSignals, culprit: ScoredSuspect | null): RcaCategory {
  switch (signals.mode) {
    case 'memory':
      return 'memory_leak';
    case 'lock':
      return 'lock_contention';
    case 'pool':
      return 'connection_pool_exhaustion';
    case 'stampede':
      return 'cache_stampede';
    case 'upstream':
      return 'upstream_failure';
    case 'defect':
      if (!culprit) return 'unknown';
      return culprit.kind === 'config' ? 'config_regression' : culprit.kind === 'dependency' ? 'dependency_regression' : 'code_regression';
  }
}

/**
 * How likely the top hypothesis is right. With a culprit: its score and its lead over the runner-up.
 * Without one: how clearly the failure mode explains itself (an upstream outage long after any deploy
 * is a clear pattern; a defect nobody changed is not).
 */
function confidenceOf(signals: FailureSignals, suspects: ScoredSuspect[], culprit: ScoredSuspect | null, category: RcaCategory): number {
  // Constants set against the generated scenarios of bench/eval-rca.ts (expected calibration error).
  if (culprit) {
    const margin = culprit.score - (suspects[1]?.score ?? 0);
    let c = 0.62 + 0.3 * culprit.score + 0.12 * Math.min(1, margin / 0.3);
    if (category === 'unknown') c *= 0.7;
    return clamp(c, 0.2, 0.97);
  }
  const strongest = suspects[0]?.score ?? 0;
  const lateOnset = signals.minutesSinceDeploy === null || signals.minutesSinceDeploy > 6 * 60;
  switch (signals.mode) {
    case 'upstream':
      return clamp((lateOnset ? 0.95 : 0.65) - strongest * 0.35, 0.3, 0.92);
    case 'pool':
    case 'lock':
    case 'stampede':
    case 'memory':
      return clamp((lateOnset ? 0.85 : 0.55) - strongest * 0.4, 0.25, 0.85);
    case 'defect':
      return 0.25;
  }
}

interface TextContext {
  pack: EvidencePack;
  signals: FailureSignals;
  category: RcaCategory;
  culprit: ScoredSuspect | null;
  suspects: ScoredSuspect[];
  timeline: EvidenceOf<'timeline'>['data'] | undefined;
  stats: EvidenceOf<'stats'>['data'] | undefined;
  releases: EvidenceOf<'releases'>['data'] | undefined;
  suspectDeploy: EvidenceOf<'deploy'> | undefined;
  confidence: number;
}

function errorText(ctx: TextContext): string {
  return ctx.stats ? `${ctx.stats.errorType}: ${ctx.stats.messageTemplate}` : 'the error';
}

function onsetText(ctx: TextContext): string {
  return ctx.pack.onset ? `since ${ctx.pack.onset}` : 'recently';
}

function deployText(ctx: TextContext): string {
  const d = ctx.suspectDeploy?.data;
  if (!d) return '';
  return `release ${d.deploy.release} (deployed ${d.deploy.deployedAt}${d.minutesBeforeOnset === null ? '' : `, ${formatMinutes(d.minutesBeforeOnset)} before onset`})`;
}

function noCulpritStatement(ctx: TextContext): string {
  const d = ctx.suspectDeploy?.data;
  const sinceDeploy = d?.minutesBeforeOnset != null ? `${formatMinutes(d.minutesBeforeOnset)} after the last deploy (${d.deploy.release})` : 'with no deploy before it';
  const weak = ctx.suspects[0] ? ` The best-scoring commit, ${short(ctx.suspects[0].facts.sha)}, scores only ${ctx.suspects[0].score.toFixed(2)}.` : '';
  switch (ctx.signals.mode) {
    case 'upstream':
      return `An upstream dependency${ctx.signals.host ? ` (${ctx.signals.host})` : ''} is failing: ${errorText(ctx)} started at ${ctx.pack.onset ?? 'an unknown time'}, ${sinceDeploy}, and no change in the deploy range touches the failing code, its configuration or its dependencies.${weak}`;
    case 'defect':
      return `No change in the evidence explains ${errorText(ctx)}; it may be triggered by new data or usage rather than by a deploy.${weak}`;
    default:
      return `${CATEGORY_LABELS[ctx.category]} (${ctx.signals.because.join('; ')}), ${onsetText(ctx)}, ${sinceDeploy}; no commit in the deploy range explains it, so load, data growth or the environment is the likelier trigger.${weak}`;
  }
}

function summaryText(ctx: TextContext): string {
  const { stats, culprit, category } = ctx;
  const impact = stats ? `${stats.count} events affecting ${stats.users} users` : 'errors';
  if (culprit) {
    return `${CATEGORY_LABELS[category]}: ${errorText(ctx)} — ${impact} ${onsetText(ctx)}, after ${deployText(ctx) || 'a change'}. Most likely cause: commit ${short(culprit.facts.sha)} "${culprit.facts.subject}" (score ${culprit.score.toFixed(2)}). Confidence ${ctx.confidence.toFixed(2)}.`;
  }
  return `${CATEGORY_LABELS[category]}: ${errorText(ctx)} — ${impact} ${onsetText(ctx)}. No commit explains it. Confidence ${ctx.confidence.toFixed(2)}.`;
}

function rootCauseText(ctx: TextContext): string {
  const { culprit, signals } = ctx;
  const mode = signals.because.length ? ` The failure reads as ${signals.because.join('; ')}.` : '';
  const shape = ctx.timeline ? ` The error rate shows a ${ctx.timeline.shape} pattern (baseline ${ctx.timeline.baselinePerMin.toFixed(1)}/min, peak ${ctx.timeline.peakPerMin}/min).` : '';
  if (!culprit) return `${noCulpritStatement(ctx)}${mode}${shape}`;
  const f = culprit.facts;
  const what =
    culprit.kind === 'config'
      ? `changed configuration that the crashing code reads (${f.configKeys.map((c) => `${c.key} in ${c.path}`).join(', ')})`
      : culprit.kind === 'dependency'
        ? `changed dependency versions (${f.manifests.map((m) => `${m.path}${m.packages.length ? `: ${m.packages.join(', ')}` : ''}`).join('; ')})`
        : f.blamedLines.some((b) => b.distance === 0)
          ? `changed the crashing line itself (${f.blamedLines.filter((b) => b.distance === 0).map((b) => `${b.path}:${b.line}`).join(', ')})`
          : `changed code on the failing path (${culprit.reasons[0] ?? f.files.slice(0, 3).join(', ')})`;
  return `Commit ${short(f.sha)} "${f.subject}" by ${f.authorName}, shipped in ${deployText(ctx) || 'the suspect range'}, ${what}.${mode}${shape}`;
}

function fixOf(ctx: TextContext): RootCauseAnalysis['fix'] {
  const { culprit, category, signals } = ctx;
  const target = culprit ? `commit ${short(culprit.facts.sha)} ("${culprit.facts.subject}")` : '';
  const descriptions: Record<RcaCategory, string> = {
    code_regression: `Revert or correct ${target}: restore the behaviour the crashing code relied on, and guard the value that is now missing or invalid.`,
    config_regression: `Restore the previous value of ${culprit?.facts.configKeys.map((c) => c.key).join(', ') || 'the changed setting'} (changed by ${target}), and validate the setting at start-up so a bad value fails the deploy instead of requests.`,
    dependency_regression: `Pin the dependency back to the previous version (undo ${target}), then upgrade deliberately with the code changes its release notes require.`,
    connection_pool_exhaustion: culprit
      ? `Undo or fix ${target}: make every acquired connection be released (finally/with blocks), and restore the pool size; add an acquire timeout alarm.`
      : 'Find what holds connections: size the pool to the load, release connections on every path, bound request concurrency, and shed load before the pool saturates.',
    memory_leak: culprit
      ? `Fix ${target}: bound or evict what it accumulates (size/TTL-limited cache, remove listeners), then roll instances to reclaim memory.`
      : 'Take heap snapshots of a growing instance and compare them to find the retained objects; restart instances as a stopgap.',
    lock_contention: culprit
      ? `Fix ${target}: keep transactions short (no remote calls or batch scans inside them), lock rows in a consistent order, and restore any dropped index.`
      : 'Find the long transaction holding the lock (pg_locks / INNODB STATUS at the spikes) and shorten it; add a lock timeout to the batch side.',
    upstream_failure: `No code change is implicated. Protect the call${signals.host ? ` to ${signals.host}` : ''}: timeouts with bounded retries and jitter, a circuit breaker, and a degraded fallback; follow up with the provider.`,
    cache_stampede: culprit
      ? `Undo or fix ${target}: restore request coalescing (single flight per key) and TTL jitter so hot keys do not expire together; serve stale while revalidating.`
      : 'Add request coalescing per key, TTL jitter and stale-while-revalidate so expiring hot keys do not send every request to the backing store at once.',
    unknown: 'Reproduce with the representative events and add handling for the failing input; the evidence names no change to revert.',
  };
  const patch = culprit && ['code_regression', 'config_regression', 'dependency_regression'].includes(category) ? revertPatch(culprit.facts.diff) : undefined;
  return patch ? { description: descriptions[category], patch } : { description: descriptions[category] };
}

function testText(ctx: TextContext): string {
  const event = itemsOf(ctx.pack, 'event')[0]?.data;
  const origin = event?.frames.filter((f) => f.inApp).at(-1);
  const where = origin ? `${origin.function ?? 'the crashing function'} (${origin.repoPath ?? origin.file}:${origin.line})` : 'the crashing code';
  switch (ctx.category) {
    case 'code_regression':
    case 'unknown':
      return `A unit test that calls ${where} with the input of event ${event?.eventId ?? '?'} (${event ? `${event.errorType}: ${event.message}` : 'the failing input'}) and asserts it does not throw.`;
    case 'config_regression':
      return `A start-up/config test that loads the production configuration and asserts ${ctx.culprit?.facts.configKeys.map((c) => c.key).join(', ') || 'each setting the code reads'} parses to a valid value, plus a test of ${where} with that configuration.`;
    case 'dependency_regression':
      return `A contract test around ${where} exercising the dependency's API with the failing input, run in CI on every dependency bump.`;
    case 'connection_pool_exhaustion':
      return 'A load test with a small pool (e.g. size 2) that runs the endpoints concurrently, including error paths, and asserts the pool returns to idle and no acquire times out.';
    case 'memory_leak':
      return 'A soak test that runs the suspect path many thousand times and asserts heap usage after GC stays flat.';
    case 'lock_contention':
      return 'An integration test that runs the batch job and the user-facing write concurrently against a real database and asserts the write completes within its lock timeout.';
    case 'upstream_failure':
      return `A test that stubs the upstream${ctx.signals.host ? ` (${ctx.signals.host})` : ''} to hang and to fail, asserting the caller times out promptly, retries a bounded number of times and degrades gracefully.`;
    case 'cache_stampede':
      return 'A concurrency test that expires a hot key and fires many simultaneous reads, asserting the loader runs once per key.';
  }
}

function blastRadiusText(ctx: TextContext): string {
  // The largest share of each breakdown: whether the failure is everywhere or in one segment.
  const concentrated = itemsOf(ctx.pack, 'breakdown')
    .map((b) => b.data.values[0] && b.data.values.length > 1 ? `${b.data.values[0].share >= 0.8 ? 'mostly ' : ''}${b.data.dimension} ${b.data.values[0].value} (${(b.data.values[0].share * 100).toFixed(0)}%)` : '')
    .filter(Boolean)
    .join(', ');
  const stats = ctx.stats;
  const rel = ctx.releases?.firstBadRelease ? ` First seen in release ${ctx.releases.firstBadRelease}.` : '';
  return `${stats ? `${stats.count} events, ${stats.users} users affected between ${stats.firstSeen} and ${stats.lastSeen}.` : ''}${rel}${concentrated ? ` Largest segments: ${concentrated}.` : ''}`.trim() || 'Unknown.';
}

function monitorText(ctx: TextContext): string[] {
  const baseline = ctx.timeline ? `${ctx.timeline.baselinePerMin.toFixed(1)}/min` : 'its baseline';
  const common = [`Cluster ${ctx.pack.clusterId} event rate returns to ${baseline} within 30 minutes of the fix`];
  const extra: Record<RcaCategory, string[]> = {
    code_regression: ['No new cluster with the same crashing frame after the fix release'],
    config_regression: ['Configuration validation passes on every deploy'],
    dependency_regression: ['Error rate of the code paths using the dependency'],
    connection_pool_exhaustion: ['Pool in-use vs max, acquire wait time (p99), pending acquires'],
    memory_leak: ['Heap/RSS per instance over 24 h stays flat', 'OOM restarts per instance'],
    lock_contention: ['Lock wait time and lock timeouts per minute', 'Batch job duration'],
    upstream_failure: ['Upstream latency p99 and error rate', 'Circuit-breaker open events'],
    cache_stampede: ['Cache hit rate and backing-store QPS at key expiry', 'Loader executions per key'],
    unknown: ['Event rate by release'],
  };
  return [...common, ...extra[ctx.category]];
}

function rollbackText(ctx: TextContext): string {
  const last = ctx.releases?.lastGoodRelease;
  if (ctx.culprit && ctx.culprit.facts.window === 'suspect_deploy') {
    return `Roll back to ${last ?? 'the previous release'}${ctx.suspectDeploy ? ` (undo deploy ${ctx.suspectDeploy.data.deployId})` : ''}, or revert ${short(ctx.culprit.facts.sha)} and redeploy. Watch the cluster rate fall to baseline.`;
  }
  if (ctx.category === 'upstream_failure') return 'No rollback: no deploy correlates with the onset. Enable the fallback or degrade the feature until the upstream recovers.';
  return `A rollback is unlikely to help: no change in the last deploy explains the errors.${last ? ` If needed, ${last} is the last release without them.` : ''}`;
}

function preventionText(ctx: TextContext): string[] {
  const common: Record<RcaCategory, string[]> = {
    code_regression: ['Cover the failing input in tests', 'Canary deploys that compare crash rates per release before full rollout'],
    config_regression: ['Validate configuration with a schema at start-up', 'Review configuration changes like code, with a canary'],
    dependency_regression: ['Lockfile-only upgrades through CI with contract tests', 'Read release notes of major bumps; canary them'],
    connection_pool_exhaustion: ['Lint for acquire without release', 'Alert on pool saturation before requests fail'],
    memory_leak: ['Bound every in-process cache', 'Alert on steady memory growth after deploys'],
    lock_contention: ['Keep transactions short; no I/O inside them', 'Lock timeouts on batch jobs; migrations reviewed for locking'],
    upstream_failure: ['Timeouts, retries with jitter and circuit breakers on every upstream call', 'Synthetic checks of critical upstreams'],
    cache_stampede: ['Request coalescing and TTL jitter in the cache layer', 'Load tests that expire hot keys'],
    unknown: ['Add context to the error (inputs, ids) so the next occurrence explains itself'],
  };
  return common[ctx.category];
}

function confirmIf(ctx: TextContext): string {
  const c = ctx.culprit;
  const sha = c ? short(c.facts.sha) : '';
  switch (ctx.category) {
    case 'code_regression':
      return `Reverting ${sha} on a canary stops the errors, or the failing input reproduces on ${ctx.suspectDeploy?.data.deploy.release ?? 'the bad release'} but not on ${ctx.releases?.lastGoodRelease ?? 'the previous one'}.`;
    case 'config_regression':
      return `The running value of ${c?.facts.configKeys.map((k) => k.key).join(', ') || 'the setting'} differs from the previous release, and restoring it stops the errors.`;
    case 'dependency_regression':
      return 'The lockfile diff shows the version change and pinning the old version stops the errors.';
    case 'connection_pool_exhaustion':
      return `Pool metrics show all connections in use and acquire waits piling up at onset${c ? `, and the code of ${sha} holds connections on some path` : ''}.`;
    case 'memory_leak':
      return 'Heap usage of each instance climbs steadily after the deploy and resets on restart; a heap snapshot shows the suspect structure growing.';
    case 'lock_contention':
      return 'Database lock views at the spikes show a long transaction (the suspect job or migration) blocking the failing statement.';
    case 'upstream_failure':
      return `The upstream's latency/error metrics or status page show degradation from ${ctx.pack.onset ?? 'onset'}.`;
    case 'cache_stampede':
      return 'Cache misses and backing-store load spike together at each burst, at key expiry times.';
    case 'unknown':
      return 'A specific input or tenant explains all events.';
  }
}

function ruleOutIf(ctx: TextContext): string {
  switch (ctx.category) {
    case 'code_regression':
    case 'config_regression':
    case 'dependency_regression':
      return `The same error occurs on ${ctx.releases?.lastGoodRelease ?? 'the previous release'}, or continues after the rollback.`;
    case 'connection_pool_exhaustion':
      return 'Pool utilisation stays well below its maximum while errors occur.';
    case 'memory_leak':
      return 'Memory stays flat and the OOMs come from single oversized requests.';
    case 'lock_contention':
      return 'No long-running transaction overlaps the error bursts.';
    case 'upstream_failure':
      return 'The upstream is healthy for other clients and a canary request from our network succeeds.';
    case 'cache_stampede':
      return 'The cache hit rate stays steady during the bursts.';
    case 'unknown':
      return 'Events spread evenly over all inputs and users.';
  }
}

/** The inverse of a kept patch, when it is whole (not cut): the literal revert. */
function revertPatch(diff: string): string | undefined {
  if (!diff || diff.includes('[… diff cut') || diff.length > 8_000) return undefined;
  const out: string[] = [];
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
      out.push(m ? `diff --git a/${m[2]} b/${m[1]}` : line);
    } else if (line.startsWith('--- ')) out.push(`+++ ${line.slice(4).replace(/^a\//, 'b/')}`);
    else if (line.startsWith('+++ ')) out.push(`--- ${line.slice(4).replace(/^b\//, 'a/')}`);
    else if (line.startsWith('@@')) out.push(line.replace(/^@@ -(\S+) \+(\S+) @@/, '@@ -$2 +$1 @@'));
    else if (line.startsWith('+')) out.push(`-${line.slice(1)}`);
    else if (line.startsWith('-')) out.push(`+${line.slice(1)}`);
    else if (line.startsWith('index ') || line.startsWith('new file') || line.startsWith('deleted file')) continue;
    else out.push(line);
  }
  // Unified diffs list the --- line before +++; swapping prefixes above inverted them.
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i].startsWith('+++ ') && out[i + 1].startsWith('--- ')) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  }
  return out.join('\n');
}

function proximity(distance: number | null): number {
  if (distance === null) return 0.2;
  if (distance === 0) return 1;
  if (distance <= 2) return 0.85;
  if (distance <= 5) return 0.65;
  if (distance <= 15) return 0.4;
  if (distance <= 40) return 0.25;
  return 0.15;
}

const short = (sha: string) => sha.slice(0, 12);
const round = (n: number) => Math.round(n * 1000) / 1000;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const unique = (ids: string[]) => [...new Set(ids)];
