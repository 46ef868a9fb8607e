import type { ClickHouseClient } from '@clickhouse/client';
import { DT, timeRangeParams, type TimeRange } from './query';
import { fromClickHouseTime } from './rows';

export type { TimeRange } from './query';

export interface ClusterSummaryRow {
  clusterId: string;
  fingerprints: string[];
  events: number;
  affectedUsers: number;
  firstSeen: string;
  lastSeen: string;
  releases: string[];
  environments: string[];
}

export interface IssueSummaryRow {
  fingerprint: string;
  clusterId: string;
  confidence: number;
  evidence: string;
  title: string;
  category: string;
  canonicalKind: string;
  errorType: string;
  messageTemplate: string;
  culprit: string;
  platform: string;
  events: number;
  affectedUsers: number;
  firstSeen: string;
  lastSeen: string;
  releases: string[];
  sampleEventId: string;
}

export interface ClusterFilter extends TimeRange {
  /** Only these clusters: the issues that are their members now. */
  clusterIds?: string[];
}

/** A cluster as the set of its issues: what the per-cluster reads group by. */
export interface ClusterFingerprints {
  clusterId: string;
  fingerprints: string[];
}

export interface MinuteCount {
  minute: string;
  events: number;
}

export interface ReleaseCountRow {
  release: string;
  events: number;
  firstSeen: string;
  lastSeen: string;
}

/** A sample of the transactions and tags of a cluster's events: what criticality rules look at. */
export interface ClusterContext {
  transactions: string[];
  tags: Record<string, string>[];
}

/**
 * Keeps the issues that are members of {clusterIds} now, when {filtered}. Membership is read
 * FINAL with the cluster condition after it (ClickHouse does not move conditions before FINAL),
 * so an issue that moved counts only in its current cluster.
 */
const MEMBERS_OF_FILTERED_CLUSTERS = `(NOT {filtered:Bool} OR fingerprint IN (
  SELECT fingerprint FROM cluster_membership FINAL WHERE project = {project:String} AND cluster_id IN {clusterIds:Array(String)}))`;

/**
 * Each fingerprint's cluster, as two parallel arrays for `transform(fingerprint, {fingerprints}, {owners}, '')`:
 * one query then reads many clusters, grouped by cluster.
 */
function owners(clusters: ClusterFingerprints[]): { fingerprints: string[]; owners: string[] } {
  const fingerprints: string[] = [];
  const ownerIds: string[] = [];
  for (const cluster of clusters) {
    for (const fingerprint of cluster.fingerprints) {
      fingerprints.push(fingerprint);
      ownerIds.push(cluster.clusterId);
    }
  }
  return { fingerprints, owners: ownerIds };
}

function filterParams(filter: ClusterFilter): { filtered: boolean; clusterIds: string[] } {
  return { filtered: filter.clusterIds !== undefined, clusterIds: filter.clusterIds ?? [] };
}

/** Read models over issue state and cluster membership, for reports, the API and the detector. */
export class ClusterQueries {
  constructor(private readonly client: ClickHouseClient) {}

  /** Issues of a project (or of some of its clusters) with their merged stats and current cluster. */
  async issues(project: string, filter: ClusterFilter = {}): Promise<IssueSummaryRow[]> {
    const result = await this.client.query({
      query: `SELECT s.fingerprint AS fingerprint, m.cluster_id AS cluster_id, m.confidence AS confidence, m.evidence AS evidence,
                     i.title AS title, i.category AS category, i.canonical_kind AS canonical_kind, i.error_type AS error_type,
                     i.message_template AS message_template, i.culprit AS culprit, i.platform AS platform,
                     s.events AS events, s.users AS users, s.first_seen AS first_seen, s.last_seen AS last_seen,
                     s.releases AS releases, s.sample_event_id AS sample_event_id
              FROM (
                SELECT fingerprint, sum(events) AS events, uniqMerge(users) AS users, min(first_seen) AS first_seen,
                       max(last_seen) AS last_seen, groupUniqArrayMerge(100)(releases) AS releases, anyMerge(sample_event_id) AS sample_event_id
                FROM issue_stats WHERE project = {project:String} AND ${MEMBERS_OF_FILTERED_CLUSTERS} GROUP BY fingerprint
                HAVING last_seen >= {from:${DT}} AND first_seen <= {to:${DT}}
              ) AS s
              INNER JOIN (SELECT fingerprint, cluster_id, confidence, evidence FROM cluster_membership FINAL
                          WHERE project = {project:String} AND ${MEMBERS_OF_FILTERED_CLUSTERS}) AS m USING (fingerprint)
              INNER JOIN (SELECT * FROM issues FINAL WHERE project = {project:String} AND ${MEMBERS_OF_FILTERED_CLUSTERS}) AS i USING (fingerprint)
              ORDER BY events DESC, fingerprint`,
      query_params: { project, ...timeRangeParams(filter), ...filterParams(filter) },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{
      fingerprint: string; cluster_id: string; confidence: number; evidence: string; title: string; category: string;
      canonical_kind: string; error_type: string; message_template: string; culprit: string; platform: string;
      events: number | string; users: number | string; first_seen: string; last_seen: string; releases: string[]; sample_event_id: string;
    }>();
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      clusterId: r.cluster_id,
      confidence: Number(r.confidence),
      evidence: r.evidence,
      title: r.title,
      category: r.category,
      canonicalKind: r.canonical_kind,
      errorType: r.error_type,
      messageTemplate: r.message_template,
      culprit: r.culprit,
      platform: r.platform,
      events: Number(r.events),
      affectedUsers: Number(r.users),
      firstSeen: fromClickHouseTime(r.first_seen),
      lastSeen: fromClickHouseTime(r.last_seen),
      releases: r.releases,
      sampleEventId: r.sample_event_id,
    }));
  }

  /** Clusters of a project (or some of them): issue stats merged across member issues (users are a merged uniq state, not a sum). */
  async clusters(project: string, filter: ClusterFilter = {}): Promise<ClusterSummaryRow[]> {
    const result = await this.client.query({
      query: `SELECT m.cluster_id AS cluster_id, groupArray(s.fingerprint) AS fingerprints, sum(s.events) AS events,
                     uniqMerge(s.users) AS users, min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen,
                     groupUniqArrayMerge(100)(s.releases) AS releases, groupUniqArrayMerge(20)(s.environments) AS environments
              FROM (
                SELECT fingerprint, sum(events) AS events, uniqMergeState(users) AS users, min(first_seen) AS first_seen,
                       max(last_seen) AS last_seen, groupUniqArrayMergeState(100)(releases) AS releases,
                       groupUniqArrayMergeState(20)(environments) AS environments
                FROM issue_stats WHERE project = {project:String} AND ${MEMBERS_OF_FILTERED_CLUSTERS} GROUP BY fingerprint
              ) AS s
              INNER JOIN (SELECT fingerprint, cluster_id FROM cluster_membership FINAL
                          WHERE project = {project:String} AND ${MEMBERS_OF_FILTERED_CLUSTERS}) AS m USING (fingerprint)
              GROUP BY cluster_id
              HAVING last_seen >= {from:${DT}} AND first_seen <= {to:${DT}}
              ORDER BY events DESC, cluster_id`,
      query_params: { project, ...timeRangeParams(filter), ...filterParams(filter) },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{
      cluster_id: string; fingerprints: string[]; events: number | string; users: number | string;
      first_seen: string; last_seen: string; releases: string[]; environments: string[];
    }>();
    return rows.map((r) => ({
      clusterId: r.cluster_id,
      fingerprints: [...r.fingerprints].sort(),
      events: Number(r.events),
      affectedUsers: Number(r.users),
      firstSeen: fromClickHouseTime(r.first_seen),
      lastSeen: fromClickHouseTime(r.last_seen),
      releases: [...r.releases].sort(),
      environments: [...r.environments].sort(),
    }));
  }

  /** Every event id of each issue (the CLI lists them all). */
  async eventIdsByIssue(project: string): Promise<Map<string, string[]>> {
    const result = await this.client.query({
      query: `SELECT fingerprint, arraySort(groupArray(event_id)) AS ids FROM crash_events
              WHERE project = {project:String} GROUP BY fingerprint`,
      query_params: { project },
      format: 'JSONEachRow',
    });
    return new Map((await result.json<{ fingerprint: string; ids: string[] }>()).map((r) => [r.fingerprint, r.ids]));
  }

  /** Per-minute counts for a set of issues (a cluster's timeline), zero minutes omitted. */
  async minuteCounts(project: string, fingerprints: string[], range: TimeRange = {}): Promise<MinuteCount[]> {
    return (await this.timelines(project, [{ clusterId: '', fingerprints }], range)).get('') ?? [];
  }

  /** Each cluster's per-minute counts, zero minutes omitted, in one query. */
  async timelines(project: string, clusters: ClusterFingerprints[], range: TimeRange = {}): Promise<Map<string, MinuteCount[]>> {
    const result = await this.client.query({
      query: `SELECT transform(fingerprint, {fingerprints:Array(String)}, {owners:Array(String)}, '') AS cluster_id, minute, sum(events) AS events
              FROM issue_minutes
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
                AND minute >= toDateTime({from:${DT}}) AND minute <= toDateTime({to:${DT}})
              GROUP BY cluster_id, minute ORDER BY cluster_id, minute`,
      query_params: { project, ...owners(clusters), ...timeRangeParams(range) },
      format: 'JSONEachRow',
    });
    const byCluster = new Map<string, MinuteCount[]>();
    for (const r of await result.json<{ cluster_id: string; minute: string; events: number | string }>()) {
      append(byCluster, r.cluster_id, { minute: fromClickHouseTime(r.minute), events: Number(r.events) });
    }
    return byCluster;
  }

  /** Each cluster's events per release, oldest release first, in one query. */
  async releases(project: string, clusters: ClusterFingerprints[], range: TimeRange = {}): Promise<Map<string, ReleaseCountRow[]>> {
    const result = await this.client.query({
      query: `SELECT transform(fingerprint, {fingerprints:Array(String)}, {owners:Array(String)}, '') AS cluster_id, release,
                     count() AS events, min(timestamp) AS first_seen, max(timestamp) AS last_seen
              FROM crash_events
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
                AND timestamp >= {from:${DT}} AND timestamp <= {to:${DT}}
              GROUP BY cluster_id, release ORDER BY cluster_id, first_seen, release`,
      query_params: { project, ...owners(clusters), ...timeRangeParams(range) },
      format: 'JSONEachRow',
    });
    const byCluster = new Map<string, ReleaseCountRow[]>();
    for (const r of await result.json<{ cluster_id: string; release: string; events: number | string; first_seen: string; last_seen: string }>()) {
      append(byCluster, r.cluster_id, { release: r.release, events: Number(r.events), firstSeen: fromClickHouseTime(r.first_seen), lastSeen: fromClickHouseTime(r.last_seen) });
    }
    return byCluster;
  }

  /** A sample of the transactions and tags of a set of issues: what criticality rules look at. */
  async context(project: string, fingerprints: string[]): Promise<ClusterContext> {
    return (await this.contexts(project, [{ clusterId: '', fingerprints }])).get('') ?? { transactions: [], tags: [] };
  }

  /** Each cluster's sample of transactions and tags, in one query; a cluster without events is absent. */
  async contexts(project: string, clusters: ClusterFingerprints[]): Promise<Map<string, ClusterContext>> {
    const result = await this.client.query({
      query: `SELECT transform(fingerprint, {fingerprints:Array(String)}, {owners:Array(String)}, '') AS cluster_id,
                     groupUniqArray(20)(transaction) AS transactions, groupArraySample(20)(tags) AS tags
              FROM crash_events
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
              GROUP BY cluster_id`,
      query_params: { project, ...owners(clusters) },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ cluster_id: string; transactions: string[]; tags: Record<string, string>[] }>();
    return new Map(rows.map((r) => [r.cluster_id, { transactions: r.transactions.filter((t) => t !== ''), tags: r.tags }]));
  }
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
