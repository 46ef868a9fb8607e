import { createHash } from 'node:crypto';
import type { ClusterIssueRow, ClusterListRow, MembershipRow } from '@faultline/clickhouse';
import { CATEGORIES, priorityOf, type Category } from '@faultline/clustering';
import type { AnalysisRequest } from '@faultline/schema';
import { z } from 'zod';
import type { Principal } from './auth';
import type * as c from './contracts';
import { ISSUE_STATUSES, type ClusterSort, type IssueStatus } from './contracts';
import { ApiError } from './errors';
import { decodeCursor, pageOf, type CursorPosition } from './pagination';
import type { ApiStore, Publisher } from './store';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longest timeline the detail view returns: per-minute points, so this bounds the payload. */
const MAX_TIMELINE_MS = 14 * DAY_MS;
const BREAKDOWN_VALUES = 10;
const DIMENSIONS = ['browser', 'os', 'device', 'region', 'release', 'environment'] as const;

const isCategory = (value: string): value is Category => (CATEGORIES as readonly string[]).includes(value);
const isStatus = (value: string): value is IssueStatus => (ISSUE_STATUSES as readonly string[]).includes(value);

/** A cluster is as open as its most open issue: unresolved, then resolved in a release, resolved, ignored. */
export function clusterStatus(statuses: string[]): IssueStatus {
  const known = statuses.filter(isStatus);
  if (known.length === 0 || statuses.some((s) => !isStatus(s)) || known.includes('unresolved')) return 'unresolved';
  if (known.includes('resolved_in_release')) return 'resolved_in_release';
  if (known.includes('resolved')) return 'resolved';
  return 'ignored';
}

/**
 * Summary of one cluster row. Priority is clustering's `priorityOf` over the filtered counts; the
 * rate's window is the requested one, or first matching event → now (so a cluster that went quiet
 * loses urgency), at least an hour (one event is not a rate).
 */
export function summarize(row: ClusterListRow, window: { from?: string; to?: string }, now: number): c.ClusterSummary {
  const category = isCategory(row.category) ? row.category : 'unknown';
  const start = Date.parse(window.from ?? (row.events > 0 ? row.windowFirstEvent : row.firstSeen));
  const end = window.to !== undefined ? Date.parse(window.to) : now;
  const priority = priorityOf({
    affectedUsers: row.affectedUsers,
    events: row.events,
    windowHours: Math.max(1, (end - start) / HOUR_MS),
    category,
    tags: row.tagPairs.map((pair) => {
      const eq = pair.indexOf('=');
      return { [pair.slice(0, eq)]: pair.slice(eq + 1) };
    }),
    transactions: row.transactions,
  });
  return {
    id: row.clusterId,
    title: row.title,
    category,
    priority: { tier: priority.tier, impactScore: priority.impactScore, eventsPerHour: priority.eventsPerHour, matchedRule: priority.matchedRule },
    status: clusterStatus(row.statuses),
    confidence: Math.round(row.confidence * 1000) / 1000,
    count: row.events,
    affectedUsers: row.affectedUsers,
    range: row.events > 0 ? { firstEvent: row.windowFirstEvent, lastEvent: row.windowLastEvent } : null,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    issueCount: row.issues,
    releases: row.releases,
    environments: row.environments,
  };
}

const SORT_KEYS: Record<ClusterSort, (s: c.ClusterSummary) => number | string> = {
  impact: (s) => s.priority.impactScore,
  count: (s) => s.count,
  last_seen: (s) => s.range?.lastEvent ?? '',
};

/** Descending by the sort key, then ascending by id: a total order, so keyset pages are exact. */
function compare(a: CursorPosition, b: CursorPosition): number {
  if (a.key !== b.key) return a.key > b.key ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The commit items of an analysis's evidence pack (`@faultline/analysis` EvidencePack). */
const EvidenceCommit = z.object({
  kind: z.literal('commit'),
  data: z.object({
    sha: z.string(),
    subject: z.string().default(''),
    authorName: z.string().default(''),
    authorDate: z.string().default(''),
    window: z.string().default('outside'),
    deployId: z.string().nullable().default(null),
    files: z.array(z.string()).default([]),
    blamedLines: z.array(z.unknown()).default([]),
  }),
});
const WINDOW_ORDER: Record<string, number> = { suspect_deploy: 0, earlier_deploy: 1 };

export function suspectCommitsOf(evidence: string | null): c.SuspectCommit[] {
  if (!evidence) return [];
  let pack: unknown;
  try {
    pack = JSON.parse(evidence);
  } catch {
    return [];
  }
  const items = (pack as { items?: unknown }).items;
  if (!Array.isArray(items)) return [];
  return items
    .map((item) => EvidenceCommit.safeParse(item))
    .filter((r) => r.success)
    .map(({ data: { data } }) => ({
      sha: data.sha,
      subject: data.subject,
      authorName: data.authorName,
      authorDate: data.authorDate,
      window: data.window,
      deployId: data.deployId,
      files: data.files.slice(0, 50),
      blamedLines: data.blamedLines.length,
    }))
    .sort((a, b) => (WINDOW_ORDER[a.window] ?? 2) - (WINDOW_ORDER[b.window] ?? 2) || b.blamedLines - a.blamedLines);
}

function parseJsonOrNull(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

export function analysisView(record: {
  id: string; clusterId: string; analyzer: string; model: string; status: string; failureReason: string; document: string;
  markdown: string; inputTokens: number; outputTokens: number; createdAt: string;
}): c.AnalysisView {
  return {
    id: record.id,
    clusterId: record.clusterId,
    analyzer: record.analyzer,
    model: record.model,
    status: record.status,
    failureReason: record.failureReason || null,
    document: parseJsonOrNull(record.document),
    markdown: record.markdown,
    tokens: { input: record.inputTokens, output: record.outputTokens },
    createdAt: record.createdAt,
  };
}

function issueView(row: ClusterIssueRow): c.ClusterDetail['issues'][number] {
  return {
    fingerprint: row.fingerprint,
    title: row.title,
    category: row.category,
    errorType: row.errorType,
    canonicalKind: row.canonicalKind,
    culprit: row.culprit,
    platform: row.platform,
    count: row.events,
    affectedUsers: row.affectedUsers,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    status: isStatus(row.status) ? row.status : 'unresolved',
    resolvedInRelease: row.resolvedInRelease,
    membership: { confidence: row.confidence, assignedBy: row.assignedBy, version: row.membershipVersion },
  };
}

/** Clusters and issues: reads, status changes, manual merges and splits, analysis requests. */
export class ClustersService {
  constructor(
    private readonly store: ApiStore,
    private readonly publisher: Publisher,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Priority is domain logic (`priorityOf`), so tier filtering and impact sorting happen here, over
   * one row per cluster of the project; the query does the time/environment/release filtering.
   */
  async list(project: string, query: c.ListClustersQuery, requestUrl: string): Promise<{ data: c.ClusterSummary[]; page: c.Page }> {
    const after = decodeCursor(query.cursor, query.sort);
    if (after && typeof after.key !== (query.sort === 'last_seen' ? 'string' : 'number')) {
      throw new ApiError('invalid_cursor', 'the cursor is not one this API issued');
    }
    const rows = await this.store.queries.clusterList(project, {
      from: query.from,
      to: query.to,
      environment: query.environment,
      release: query.release,
    });
    const now = this.now();
    const key = SORT_KEYS[query.sort];
    const items = rows
      .filter((row) => row.events > 0)
      .map((row) => summarize(row, query, now))
      .filter((s) => query.status === undefined || s.status === query.status)
      .filter((s) => query.priority === undefined || s.priority.tier === query.priority)
      .filter((s) => query.category === undefined || s.category === query.category)
      .map((s) => ({ s, position: { key: key(s), id: s.id } }))
      .sort((a, b) => compare(a.position, b.position))
      .filter(({ position }) => !after || compare(position, after) > 0);
    return pageOf(
      items.slice(0, query.limit + 1).map(({ s }) => s),
      query.limit,
      query.sort,
      (s) => ({ key: key(s), id: s.id }),
      requestUrl,
    );
  }

  async detail(project: string, clusterId: string, query: { from?: string; to?: string; samples: number }): Promise<c.ClusterDetail> {
    const [row] = await this.store.queries.clusterList(project, { clusterIds: [clusterId] });
    if (!row) throw new ApiError('cluster_not_found', `no cluster ${clusterId} in project ${project}`);
    const summary = summarize(row, {}, this.now());

    const to = query.to ?? (query.from ? new Date(Date.parse(query.from) + DAY_MS).toISOString() : summary.lastSeen);
    const from = query.from ?? new Date(Date.parse(to) - DAY_MS).toISOString();
    if (Date.parse(to) - Date.parse(from) > MAX_TIMELINE_MS) {
      throw new ApiError('validation_failed', 'the window may span at most 14 days', [{ in: 'query', path: 'from', message: 'window longer than 14 days' }]);
    }
    const window = { from, to };

    const issues = await this.store.queries.clusterIssues(project, clusterId);
    const fingerprints = issues.map((i) => i.fingerprint);
    const [timeline, releases, breakdowns, samples, analyses, suspectDeploy] = await Promise.all([
      this.store.clusters.minuteCounts(project, fingerprints, window),
      this.store.queries.releaseCounts(project, fingerprints, window),
      this.store.queries.breakdowns(project, fingerprints, window, BREAKDOWN_VALUES),
      query.samples > 0 ? this.store.events.eventsOfIssues(project, fingerprints, query.samples) : Promise.resolve([]),
      this.store.queries.analyses(project, clusterId, { limit: 1, withEvidence: true }),
      this.store.queries.deployBefore(project, summary.firstSeen, summary.environments),
    ]);
    const windowTotal = releases.reduce((sum, r) => sum + r.events, 0);
    const breakdownOf = (dimension: (typeof DIMENSIONS)[number]) =>
      breakdowns
        .filter((b) => b.dimension === dimension)
        .map((b) => ({ value: b.value === '' ? null : b.value, count: b.events, share: windowTotal > 0 ? Math.round((b.events / windowTotal) * 10_000) / 10_000 : 0 }));
    const latest = analyses[0];
    return {
      ...summary,
      window,
      timeline: timeline.map((p) => ({ minute: p.minute, count: p.events })),
      issues: issues.map(issueView),
      releaseStats: releases.map((r) => ({ release: r.release === '' ? null : r.release, count: r.events, firstSeen: r.firstSeen, lastSeen: r.lastSeen })),
      breakdowns: Object.fromEntries(DIMENSIONS.map((d) => [d, breakdownOf(d)])) as c.ClusterDetail['breakdowns'],
      sampleEvents: samples,
      suspectDeploy,
      suspectCommits: suspectCommitsOf(latest?.evidence ?? null),
      latestAnalysis: latest ? analysisView(latest) : null,
    };
  }

  async setStatus(project: string, fingerprint: string, body: { status: IssueStatus; release?: string }, principal: Principal) {
    const known = await this.store.issues.findKnown(project, [fingerprint]);
    if (!known.has(fingerprint)) throw new ApiError('issue_not_found', `no issue ${fingerprint} in project ${project}`);
    const row = {
      project,
      fingerprint,
      status: body.status,
      resolvedInRelease: body.release ?? null,
      changedAt: new Date(this.now()).toISOString(),
      changedBy: principal.label,
    };
    await this.store.issues.setStatus(row);
    return { fingerprint, status: row.status, resolvedInRelease: row.resolvedInRelease, changedAt: row.changedAt, changedBy: row.changedBy };
  }

  /**
   * Every issue of the other clusters moves into `into`. All rows of one operation share one
   * version, above every current version of the issues it moves (ReplacingMergeTree keeps the highest).
   */
  async merge(project: string, body: { clusterIds: string[]; into?: string }, principal: Principal): Promise<z.infer<typeof c.MergeResult>> {
    const ids = [...new Set(body.clusterIds)];
    if (ids.length < 2) throw new ApiError('validation_failed', 'merge needs at least two different clusters', [{ in: 'body', path: 'clusterIds', message: 'fewer than two distinct ids' }]);
    const into = body.into ?? ids[0];
    if (!ids.includes(into)) throw new ApiError('validation_failed', '`into` must be one of clusterIds', [{ in: 'body', path: 'into', message: 'not in clusterIds' }]);
    const members = await this.store.issues.clusterMembers(project, ids);
    const missing = ids.filter((id) => !members.some((m) => m.clusterId === id));
    if (missing.length > 0) throw new ApiError('cluster_not_found', `no cluster ${missing.join(', ')} in project ${project}`, { missing });
    const moving = members.filter((m) => m.clusterId !== into);
    const version = (await this.store.queries.maxMembershipVersion(project, moving.map((m) => m.fingerprint))) + 1;
    const assignedAt = new Date(this.now()).toISOString();
    await this.store.issues.insertMemberships(
      moving.map(
        (m): MembershipRow => ({
          project,
          fingerprint: m.fingerprint,
          clusterId: into,
          version,
          confidence: 1,
          evidence: JSON.stringify({ manual: 'merge', from: m.clusterId, into, by: principal.label }),
          assignedBy: 'manual',
          assignedAt,
        }),
      ),
    );
    return { clusterId: into, merged: ids.filter((id) => id !== into), moved: moving.map((m) => m.fingerprint).sort(), version };
  }

  /** The given issues leave the cluster for a new one; its id is derived from the operation, so a retry names the same cluster. */
  async split(project: string, clusterId: string, body: { fingerprints: string[] }, principal: Principal): Promise<z.infer<typeof c.SplitResult>> {
    const members = await this.store.issues.clusterMembers(project, [clusterId]);
    if (members.length === 0) throw new ApiError('cluster_not_found', `no cluster ${clusterId} in project ${project}`);
    const fingerprints = [...new Set(body.fingerprints)].sort();
    const memberSet = new Set(members.map((m) => m.fingerprint));
    const strangers = fingerprints.filter((fp) => !memberSet.has(fp));
    if (strangers.length > 0) throw new ApiError('not_in_cluster', `not (or no longer) in cluster ${clusterId}: ${strangers.join(', ')}`, { fingerprints: strangers });
    if (fingerprints.length === members.length) {
      throw new ApiError('would_empty_cluster', 'a split must leave at least one issue behind (merge to move them all)');
    }
    const version = (await this.store.queries.maxMembershipVersion(project, fingerprints)) + 1;
    const newId = `cl_${createHash('sha256').update(`split|${project}|${clusterId}|${fingerprints.join(',')}|${version}`).digest('hex').slice(0, 24)}`;
    const assignedAt = new Date(this.now()).toISOString();
    await this.store.issues.insertMemberships(
      fingerprints.map(
        (fingerprint): MembershipRow => ({
          project,
          fingerprint,
          clusterId: newId,
          version,
          confidence: 1,
          evidence: JSON.stringify({ manual: 'split', from: clusterId, by: principal.label }),
          assignedBy: 'manual',
          assignedAt,
        }),
      ),
    );
    return { clusterId: newId, from: clusterId, moved: fingerprints, version };
  }

  async analyses(project: string, clusterId: string, limit: number): Promise<{ data: c.AnalysisView[] }> {
    await this.requireCluster(project, clusterId);
    const records = await this.store.queries.analyses(project, clusterId, { limit, withEvidence: false });
    return { data: records.map(analysisView) };
  }

  async requestAnalysis(project: string, clusterId: string): Promise<{ status: 'accepted'; request: AnalysisRequest }> {
    await this.requireCluster(project, clusterId);
    const request: AnalysisRequest = { project, clusterId, reason: 'api', signalId: null, requestedAt: new Date(this.now()).toISOString() };
    await this.publisher.publish('analysisRequests', [request]);
    return { status: 'accepted', request };
  }

  private async requireCluster(project: string, clusterId: string): Promise<void> {
    const members = await this.store.issues.clusterMembers(project, [clusterId]);
    if (members.length === 0) throw new ApiError('cluster_not_found', `no cluster ${clusterId} in project ${project}`);
  }
}
