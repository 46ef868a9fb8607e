import { CrashEvent, Deploy, Frame, primaryFrames, Signal } from '@faultline/schema';
import { changedLines, ConfigRead, crashLineIdentifiers, DiffFile, findConfigReads, identifiers, isConfigFile, isManifest, isToolingOrDocs, mechanismHits, mentionsKey, parseUnifiedDiff, touchedLines } from './code-hints';
import { CommitFacts, CommitWindow, deployIdOf, EvidenceItem, EvidencePack, evidenceId, FrameRole, FrameSummary } from './evidence';
import { isThirdPartyPath, RepoPathIndex, thirdPartyPackages } from './paths';
import type { GitBlameLine, GitCommit, GitRepository } from './ports';
import { analyzeTimeline, densify, TimelinePoint } from './timeline';

export interface ClusterStatsInput {
  clusterId: string;
  project: string;
  title: string;
  errorType: string;
  canonicalKind: string;
  messageTemplate: string;
  count: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
  /** Per-minute counts, including some time before onset so a baseline exists. */
  timeline: TimelinePoint[];
}

export interface ReleaseSeen {
  release: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

export interface EvidenceInput {
  cluster: ClusterStatsInput;
  /** Releases the cluster's events came from. */
  releases: ReleaseSeen[];
  /** Deploy markers around onset; `id` defaults to `<release>@<environment>`. */
  deploys: Array<Deploy & { id?: string }>;
  /** Dimension (users, region, device, os, browser, …) → top values. */
  breakdowns?: Record<string, Array<{ value: string; count: number }>>;
  /** 3–5 representative, symbolicated events. */
  events: CrashEvent[];
  signal?: Signal | null;
  builtAt?: string;
  options?: Partial<EvidencePackOptions>;
}

export interface EvidencePackOptions {
  maxEvents: number;
  /** Commits of one deploy range looked at, at most. */
  maxRangeCommits: number;
  /** Bytes of one commit's patch read from git. */
  maxDiffBytes: number;
  /** Characters of one commit's patch kept in the pack. */
  maxDiffChars: number;
  /** Lines blamed on each side of a crashing line. */
  blameRadius: number;
  /** Lines of code shown on each side of a crashing line. */
  fileRadius: number;
  maxEnvKeys: number;
  /** The timeline is re-bucketed to at most this many points. */
  maxTimelinePoints: number;
}

export interface EvidencePorts {
  git?: GitRepository;
}

const DEFAULTS: EvidencePackOptions = {
  maxEvents: 5,
  maxRangeCommits: 60,
  maxDiffBytes: 48_000,
  maxDiffChars: 6_000,
  blameRadius: 3,
  fileRadius: 12,
  maxEnvKeys: 8,
  maxTimelinePoints: 180,
};

interface CrashSite {
  path: string;
  line: number;
  role: FrameRole;
  eventId: string;
}

/**
 * Gathers what a senior engineer would look at: stats, timeline, releases and deploys around onset,
 * breakdowns, representative events; and from git, the deploy range's commits, blame of the crashing
 * lines, the code around them, the configuration they read and the manifests they depend on.
 * Every item has a stable id. Git failures degrade the pack (recorded in `notes`), they do not hide.
 */
export async function buildEvidencePack(input: EvidenceInput, ports: EvidencePorts = {}): Promise<EvidencePack> {
  const options = { ...DEFAULTS, ...input.options };
  const notes: string[] = [];
  const items: EvidenceItem[] = [];
  const { cluster } = input;

  const timeline = analyzeTimeline(cluster.timeline);
  const onset = timeline.onset ?? cluster.firstSeen;
  const onsetMs = Date.parse(onset);

  items.push({
    id: evidenceId.stats(),
    kind: 'stats',
    title: 'Cluster statistics',
    data: {
      clusterId: cluster.clusterId,
      title: cluster.title,
      errorType: cluster.errorType,
      canonicalKind: cluster.canonicalKind,
      messageTemplate: cluster.messageTemplate,
      count: cluster.count,
      users: cluster.users,
      firstSeen: cluster.firstSeen,
      lastSeen: cluster.lastSeen,
    },
  });
  const { points, bucketMinutes } = rebucket(cluster.timeline, options.maxTimelinePoints);
  items.push({ id: evidenceId.timeline(), kind: 'timeline', title: `Error rate per ${bucketMinutes === 1 ? 'minute' : `${bucketMinutes} minutes`}`, data: { ...timeline, points, bucketMinutes } });

  // Releases and deploys: which release went bad, which deploy came right before onset.
  const releases = [...input.releases].sort((a, b) => Date.parse(a.firstSeen) - Date.parse(b.firstSeen));
  const newAtOnset = releases.filter((r) => Date.parse(r.firstSeen) >= onsetMs - 15 * 60_000);
  const firstBadRelease = newAtOnset[0]?.release ?? [...releases].sort((a, b) => b.count - a.count)[0]?.release ?? null;

  const environment = dominant(input.events.map((e) => e.environment).filter((e): e is string => !!e));
  const sameEnv = input.deploys.filter((d) => !environment || d.environment === environment);
  const deploys = (sameEnv.length ? sameEnv : input.deploys).slice().sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt));
  const before = deploys.filter((d) => Date.parse(d.deployedAt) <= onsetMs + 2 * 60_000);
  const suspect = before.filter((d) => d.release === firstBadRelease).at(-1) ?? before.at(-1) ?? null;
  const earlier = suspect ? (before[before.indexOf(suspect) - 1] ?? null) : null;
  const lastGoodRelease = earlier?.release ?? releases.filter((r) => r.release !== firstBadRelease).at(-1)?.release ?? null;
  items.push({ id: evidenceId.releases(), kind: 'releases', title: 'Releases in the cluster', data: { releases, firstBadRelease, lastGoodRelease } });

  const nearest = [...deploys].sort((a, b) => Math.abs(Date.parse(a.deployedAt) - onsetMs) - Math.abs(Date.parse(b.deployedAt) - onsetMs)).slice(0, 6);
  for (const deploy of deploys.filter((d) => nearest.includes(d) || d === suspect || d === earlier)) {
    const deployId = deployIdOf(deploy);
    const role = deploy === suspect ? 'suspect' : deploy === earlier ? 'earlier' : Date.parse(deploy.deployedAt) > onsetMs ? 'later' : 'other';
    items.push({
      id: evidenceId.deploy(deployId),
      kind: 'deploy',
      title: `Deploy ${deploy.release}${role === 'suspect' ? ' (last before onset)' : ''}`,
      data: { deployId, deploy: stripId(deploy), minutesBeforeOnset: Number.isFinite(onsetMs) ? (onsetMs - Date.parse(deploy.deployedAt)) / 60_000 : null, role },
    });
  }

  for (const [dimension, values] of Object.entries(input.breakdowns ?? {})) {
    if (!/^[a-z][a-z0-9_]*$/i.test(dimension) || !values.length) continue;
    const total = values.reduce((sum, v) => sum + v.count, 0);
    items.push({
      id: evidenceId.breakdown(dimension),
      kind: 'breakdown',
      title: `Breakdown by ${dimension}`,
      data: { dimension, total, values: values.slice(0, 10).map((v) => ({ ...v, share: total ? v.count / total : 0 })) },
    });
  }

  // Git: the repository as of the bad release, so frame line numbers match.
  const git = ports.git;
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      notes.push(`git ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  let range: EvidencePack['range'] = { from: null, to: null, source: 'none' };
  let earlierRange: { from: string; to: string } | null = null;
  let index: RepoPathIndex | null = null;
  let rev = 'HEAD';
  if (git) {
    range = await findRange(git, suspect, earlier, firstBadRelease, lastGoodRelease, attempt);
    if (earlier?.commitSha) {
      const to = await attempt('resolve', () => git.resolve(earlier.commitSha!));
      const earlierBase = earlier.previousSha ?? before[before.indexOf(earlier) - 1]?.commitSha ?? null;
      const from = earlierBase ? await attempt('resolve', () => git.resolve(earlierBase)) : null;
      if (to && from) earlierRange = { from, to };
    }
    rev = range.to ?? 'HEAD';
    const files = await attempt('ls-tree', () => git.listFiles(rev));
    if (files) index = new RepoPathIndex(files);
  } else {
    notes.push('no repository configured: no commits, blame or code in this pack');
  }

  // Events, with frames mapped to repository paths; crash sites are their top in-app frames.
  const events = input.events.slice(0, options.maxEvents);
  const sites: CrashSite[] = [];
  const stackPackages = new Set<string>();
  let crashInThirdParty = false;
  const summarize = (frame: Frame): FrameSummary => {
    const thirdParty = !frame.inApp || isThirdPartyPath(frame.file, frame.module);
    return {
      function: frame.function,
      file: frame.file,
      repoPath: !thirdParty && index ? index.resolve(frame.file, frame.module) : null,
      line: frame.line,
      inApp: !thirdParty,
      contextLine: frame.contextLine ?? null,
      packages: thirdParty ? thirdPartyPackages(frame.file, frame.module) : [],
    };
  };
  for (const event of events) {
    const frames = primaryFrames(event).map(summarize);
    const shown = frames.slice(-15);
    items.push({
      id: evidenceId.event(event.id),
      kind: 'event',
      title: `Event ${event.id}`,
      data: {
        eventId: event.id,
        timestamp: event.timestamp,
        release: event.release,
        environment: event.environment,
        platform: event.platform,
        errorType: event.errorType,
        message: event.message,
        frames: shown,
        tags: Object.fromEntries(Object.entries(event.tags).slice(0, 12)),
      },
    });
    if (event.exceptions.length > 1) {
      items.push({
        id: evidenceId.chain(event.id),
        kind: 'chain',
        title: `Exception chain of ${event.id}`,
        data: {
          eventId: event.id,
          links: event.exceptions.map((x) => ({ type: x.type, value: x.value, crashFrame: x.frames.length ? summarize(x.frames[x.frames.length - 1]) : null })),
        },
      });
    }
    const inApp = frames.map((f, i) => ({ f, i })).filter(({ f }) => f.inApp && f.repoPath && f.line);
    const origin = inApp.at(-1);
    if (frames.length && !frames[frames.length - 1].inApp) crashInThirdParty = true;
    for (const f of frames.slice(origin ? origin.i + 1 : 0)) for (const p of f.packages) stackPackages.add(p);
    if (origin) sites.push({ path: origin.f.repoPath!, line: origin.f.line!, role: 'origin', eventId: event.id });
    const caller = inApp.at(-2);
    if (caller) sites.push({ path: caller.f.repoPath!, line: caller.f.line!, role: 'caller', eventId: event.id });
  }
  const distinctSites = dedupeSites(sites).slice(0, 4);

  if (git && index) {
    await gatherGitEvidence({ git, rev, range, earlierRange, suspect, earlier, sites: distinctSites, stackPackages: [...stackPackages], crashInThirdParty, options, items, attempt });
  } else if (git && !index) {
    notes.push('repository files could not be listed: frames were not mapped to repository paths');
  }

  if (git && index && events.length && !distinctSites.length) notes.push('no in-app frame of the representative events matched a repository file');
  if (git && range.source === 'none') notes.push('no deploy range or release tags found: commits were not listed');

  return {
    version: 1,
    clusterId: cluster.clusterId,
    project: cluster.project,
    builtAt: input.builtAt ?? new Date().toISOString(),
    onset: timeline.onset ?? cluster.firstSeen ?? null,
    suspectDeployId: suspect ? deployIdOf(suspect) : null,
    range,
    items,
    notes,
  };
}

type Attempt = <T>(what: string, run: () => Promise<T>) => Promise<T | null>;

async function findRange(
  git: GitRepository,
  suspect: (Deploy & { id?: string }) | null,
  earlier: (Deploy & { id?: string }) | null,
  firstBadRelease: string | null,
  lastGoodRelease: string | null,
  attempt: Attempt,
): Promise<EvidencePack['range']> {
  if (suspect?.commitSha) {
    const to = await attempt('resolve', () => git.resolve(suspect.commitSha!));
    const fromRev = suspect.previousSha ?? earlier?.commitSha ?? null;
    const from = fromRev ? await attempt('resolve', () => git.resolve(fromRev)) : null;
    if (to && from) return { from, to, source: 'deploy' };
  }
  // No usable deploy marker: release tags (v1.1.0, 1.1.0, app@1.1.0) stand in for deploys.
  const tags = await attempt('tags', () => git.tags());
  if (!tags?.length) return { from: null, to: null, source: 'none' };
  const matches = (release: string | null) => (release ? tags.findIndex((t) => t.name === release || t.name === `v${release}` || release.endsWith(`@${t.name}`) || release.endsWith(`@${t.name.replace(/^v/, '')}`)) : -1);
  const badIndex = matches(suspect?.release ?? firstBadRelease);
  if (badIndex < 0) return { from: null, to: null, source: 'none' };
  const goodIndex = lastGoodRelease ? matches(lastGoodRelease) : -1;
  const from = goodIndex >= 0 && goodIndex < badIndex ? tags[goodIndex] : tags[badIndex - 1];
  if (!from) return { from: null, to: tags[badIndex].sha, source: 'tags' };
  return { from: from.sha, to: tags[badIndex].sha, source: 'tags' };
}

interface GatherContext {
  git: GitRepository;
  rev: string;
  range: EvidencePack['range'];
  earlierRange: { from: string; to: string } | null;
  suspect: (Deploy & { id?: string }) | null;
  earlier: (Deploy & { id?: string }) | null;
  sites: CrashSite[];
  stackPackages: string[];
  crashInThirdParty: boolean;
  options: EvidencePackOptions;
  items: EvidenceItem[];
  attempt: Attempt;
}

async function gatherGitEvidence(ctx: GatherContext): Promise<void> {
  const { git, rev, sites, options, items, attempt } = ctx;

  // The code around the crashing lines, and the configuration it reads.
  const sources = new Map<string, string[] | null>();
  for (const site of sites) {
    if (!sources.has(site.path)) {
      const text = await attempt(`show ${site.path}`, () => git.show(site.path, rev));
      sources.set(site.path, text === null ? null : text.split('\n'));
    }
  }
  const reads = new Map<string, { read: ConfigRead; path: string; distance: number }[]>();
  for (const [path, lines] of sources) {
    if (!lines) continue;
    const siteLines = sites.filter((s) => s.path === path).map((s) => s.line);
    for (const read of findConfigReads(lines.join('\n'))) {
      const distance = Math.min(...siteLines.map((l) => Math.abs(l - read.line)));
      const list = reads.get(read.key) ?? [];
      list.push({ read, path, distance });
      reads.set(read.key, list);
    }
  }
  const envKeys = [...reads.entries()].sort((a, b) => Math.min(...a[1].map((r) => r.distance)) - Math.min(...b[1].map((r) => r.distance))).slice(0, options.maxEnvKeys);
  for (const [key, list] of envKeys) {
    items.push({
      id: evidenceId.env(key),
      kind: 'env',
      title: `Configuration read by the crashing code: ${key}`,
      data: { key, syntax: list[0].read.syntax, readAt: list.map((r) => ({ path: r.path, line: r.read.line, expression: r.read.expression })) },
    });
  }
  const keys = envKeys.map(([key]) => key);

  // Identifiers on and around the crashing lines: a change to any of them is a lead even far away.
  const crashIdentifiers = new Set<string>();
  for (const site of sites) {
    const lines = sources.get(site.path);
    if (!lines) continue;
    for (const name of crashLineIdentifiers(lines, site.line)) crashIdentifiers.add(name);
  }

  // Blame: who last touched the crashing lines (what public systems call suspect commits).
  const blames: Array<{ site: CrashSite; lines: GitBlameLine[] }> = [];
  for (const site of sites) {
    const lines = await attempt(`blame ${site.path}`, () => git.blame(site.path, site.line - options.blameRadius, site.line + options.blameRadius, rev));
    if (lines) blames.push({ site, lines });
  }
  for (const { site, lines } of blames) {
    const exact = lines.find((l) => l.line === site.line);
    if (!exact || items.some((i) => i.id === evidenceId.blame(site.path, site.line))) continue;
    items.push({
      id: evidenceId.blame(site.path, site.line),
      kind: 'blame',
      title: `Blame of ${site.path}:${site.line} (${site.role})`,
      data: { path: site.path, line: site.line, sha: exact.sha, summary: exact.summary, authorName: exact.authorName, authorTime: exact.authorTime, content: exact.content, role: site.role },
    });
  }

  // Commits: the suspect deploy's range, the earlier deploy's (only those touching what matters), and blamed ones.
  const facts = new Map<string, CommitFacts>();
  const deployIdFor = (window: CommitWindow) => (window === 'suspect_deploy' && ctx.suspect ? deployIdOf(ctx.suspect) : window === 'earlier_deploy' && ctx.earlier ? deployIdOf(ctx.earlier) : null);
  const sitePaths = new Set(sites.map((s) => s.path));
  const relevantFile = (path: string) => sitePaths.has(path) || isManifest(path) || isConfigFile(path);
  const examine = async (commit: GitCommit, window: CommitWindow) => {
    if (facts.has(commit.sha)) return;
    const diffText = await attempt(`show ${commit.sha.slice(0, 12)}`, () => git.diff(commit.sha, undefined, options.maxDiffBytes));
    facts.set(commit.sha, commitFacts(commit, window, deployIdFor(window), parseUnifiedDiff(diffText ?? ''), { sites, keys, crashIdentifiers, stackPackages: ctx.stackPackages, crashInThirdParty: ctx.crashInThirdParty, maxDiffChars: options.maxDiffChars }));
  };
  if (ctx.range.from && ctx.range.to) {
    const commits = await attempt('log', () => git.log(`${ctx.range.from}..${ctx.range.to}`));
    for (const commit of (commits ?? []).slice(0, options.maxRangeCommits)) await examine(commit, 'suspect_deploy');
  }
  if (ctx.earlierRange) {
    const commits = await attempt('log', () => git.log(`${ctx.earlierRange!.from}..${ctx.earlierRange!.to}`));
    for (const commit of (commits ?? []).slice(0, options.maxRangeCommits)) if (commit.files.some(relevantFile)) await examine(commit, 'earlier_deploy');
  }
  for (const { site, lines } of blames) {
    for (const line of lines) {
      if (/^0+$/.test(line.sha)) continue;
      if (!facts.has(line.sha)) {
        const files = (await attempt(`show ${line.sha.slice(0, 12)}`, () => git.changedFiles(line.sha))) ?? [];
        await examine({ sha: line.sha, parents: [], authorName: line.authorName, authorDate: line.authorTime, committerDate: line.authorTime, subject: line.summary, body: '', files }, 'outside');
      }
      facts.get(line.sha)?.blamedLines.push({ path: site.path, line: line.line, distance: Math.abs(line.line - site.line), role: site.role });
    }
  }

  // Code windows: origin, caller, and the configuration file a suspect changed (three files at most).
  const windows: Array<{ path: string; line: number; role: 'origin' | 'caller' | 'config'; lines: string[] }> = [];
  for (const role of ['origin', 'caller'] as const) {
    const site = sites.find((s) => s.role === role && !windows.some((w) => w.path === s.path && Math.abs(w.line - s.line) < options.fileRadius));
    const lines = site ? sources.get(site.path) : null;
    if (site && lines) windows.push({ path: site.path, line: site.line, role, lines });
  }
  const configTouch = [...facts.values()].filter((f) => f.window === 'suspect_deploy').flatMap((f) => f.configKeys)[0];
  if (configTouch && windows.length < 3) {
    const text = await attempt(`show ${configTouch.path}`, () => git.show(configTouch.path, rev));
    const lines = text?.split('\n') ?? [];
    const at = lines.findIndex((l) => mentionsKey(l, configTouch.key));
    if (at >= 0) windows.push({ path: configTouch.path, line: at + 1, role: 'config', lines });
  }
  for (const w of windows.slice(0, 3)) {
    const start = Math.max(1, w.line - options.fileRadius);
    const end = Math.min(w.lines.length, w.line + options.fileRadius);
    items.push({
      id: evidenceId.file(w.path, start, end),
      kind: 'file',
      title: `${w.role === 'config' ? 'Configuration' : 'Code'} around ${w.path}:${w.line}`,
      data: { path: w.path, startLine: start, endLine: end, rev: rev.slice(0, 12), role: w.role, focusLine: w.line, lines: w.lines.slice(start - 1, end) },
    });
  }

  const order: Record<CommitWindow, number> = { suspect_deploy: 0, earlier_deploy: 1, outside: 2 };
  for (const f of [...facts.values()].sort((a, b) => order[a.window] - order[b.window])) {
    items.push({ id: evidenceId.commit(f.sha), kind: 'commit', title: `Commit ${f.sha.slice(0, 12)} ${f.subject}`.slice(0, 160), data: f });
  }
}

function commitFacts(
  commit: GitCommit,
  window: CommitWindow,
  deployId: string | null,
  diff: DiffFile[],
  ctx: { sites: CrashSite[]; keys: string[]; crashIdentifiers: Set<string>; stackPackages: string[]; crashInThirdParty: boolean; maxDiffChars: number },
): CommitFacts {
  const stackFiles: CommitFacts['stackFiles'] = [];
  const configKeys: CommitFacts['configKeys'] = [];
  const manifests: CommitFacts['manifests'] = [];
  const shared = new Set<string>();
  const keep = new Set<DiffFile>();
  const substantive = diff.filter((f) => !isToolingOrDocs(f.path));
  for (const file of diff) {
    const changed = file.hunks.flatMap(changedLines).map((c) => c.text);
    for (const role of ['origin', 'caller'] as const) {
      const lines = ctx.sites.filter((s) => s.path === file.path && s.role === role).map((s) => s.line);
      if (!lines.length) continue;
      const touched = file.hunks.flatMap(touchedLines);
      if (!touched.length) continue; // a re-indent of the file is not a change to it
      const minDistance = touched.length ? Math.min(...touched.flatMap((t) => lines.map((l) => Math.abs(t - l)))) : null;
      stackFiles.push({ path: file.path, role, minDistance });
      keep.add(file);
    }
    if (!substantive.includes(file)) continue;
    for (const text of changed) {
      for (const name of identifiers(text)) if (ctx.crashIdentifiers.has(name)) shared.add(name);
      for (const key of ctx.keys) {
        const match = mentionsKey(text, key);
        if (!match) continue;
        const existing = configKeys.find((c) => c.key === key && c.path === file.path);
        if (!existing) configKeys.push({ key, path: file.path, match });
        else if (match === 'exact') existing.match = 'exact';
        keep.add(file);
      }
    }
    if (shared.size && changed.some((t) => identifiers(t).some((n) => ctx.crashIdentifiers.has(n)))) keep.add(file);
    if (isManifest(file.path)) {
      const text = changed.join('\n').toLowerCase();
      const packages = ctx.stackPackages.filter((p) => text.includes(p.toLowerCase()));
      manifests.push({ path: file.path, packages });
      if (packages.length || ctx.crashInThirdParty) keep.add(file);
    }
  }
  const mechanisms = mechanismHits(substantive);
  if (Object.keys(mechanisms).length) for (const file of substantive) if (Object.keys(mechanismHits([file])).length) keep.add(file);
  let kept = diff
    .filter((f) => keep.has(f))
    .map((f) => f.patch)
    .join('\n');
  if (kept.length > ctx.maxDiffChars) kept = `${kept.slice(0, ctx.maxDiffChars)}\n[… diff cut at ${ctx.maxDiffChars} characters]`;
  return {
    sha: commit.sha,
    subject: commit.subject,
    authorName: commit.authorName,
    authorDate: commit.authorDate,
    files: commit.files.length ? commit.files : diff.map((f) => f.path),
    window,
    deployId,
    blamedLines: [],
    stackFiles,
    sharedIdentifiers: [...shared],
    configKeys,
    manifests,
    mechanisms,
    added: diff.reduce((sum, f) => sum + f.hunks.reduce((s, h) => s + h.added.filter((l) => !l.whitespaceOnly).length, 0), 0),
    removed: diff.reduce((sum, f) => sum + f.hunks.reduce((s, h) => s + h.removed.filter((l) => !l.whitespaceOnly).length, 0), 0),
    diff: kept,
  };
}

function dedupeSites(sites: CrashSite[]): CrashSite[] {
  const seen = new Map<string, CrashSite & { hits: number }>();
  for (const site of sites) {
    const key = `${site.path}:${site.line}:${site.role}`;
    const existing = seen.get(key);
    if (existing) existing.hits++;
    else seen.set(key, { ...site, hits: 1 });
  }
  return [...seen.values()].sort((a, b) => (a.role === b.role ? b.hits - a.hits : a.role === 'origin' ? -1 : 1));
}

function rebucket(timeline: TimelinePoint[], maxPoints: number): { points: TimelinePoint[]; bucketMinutes: number } {
  const dense = densify(timeline);
  const bucketMinutes = Math.max(1, Math.ceil(dense.length / maxPoints));
  const points: TimelinePoint[] = [];
  for (let i = 0; i < dense.length; i += bucketMinutes) {
    points.push({ at: new Date(dense[i].t).toISOString(), count: dense.slice(i, i + bucketMinutes).reduce((sum, p) => sum + p.count, 0) });
  }
  return { points, bucketMinutes };
}

function dominant(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function stripId(deploy: Deploy & { id?: string }): Deploy {
  const { id: _id, ...rest } = deploy;
  return rest;
}
