import type { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, toClickHouseTime } from './rows';

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

export interface TimeRange {
  from?: string;
  to?: string;
}

const EPOCH = '1970-01-01T00:00:00.000Z';
const FAR_FUTURE = '2200-01-01T00:00:00.000Z';

/** Read models over issue state and cluster membership, for reports, the API and the detector. */
export class ClusterQueries {
  constructor(private readonly client: ClickHouseClient) {}

  /** Issues of a project with their merged stats and current cluster. */
  async issues(project: string, range: TimeRange = {}): Promise<IssueSummaryRow[]> {
    const result = await this.client.query({
      query: `SELECT s.fingerprint AS fingerprint, m.cluster_id AS cluster_id, m.confidence AS confidence, m.evidence AS evidence,
                     i.title AS title, i.category AS category, i.canonical_kind AS canonical_kind, i.error_type AS error_type,
                     i.message_template AS message_template, i.culprit AS culprit, i.platform AS platform,
                     s.events AS events, s.users AS users, s.first_seen AS first_seen, s.last_seen AS last_seen,
                     s.releases AS releases, s.sample_event_id AS sample_event_id
              FROM (
                SELECT fingerprint, sum(events) AS events, uniqMerge(users) AS users, min(first_seen) AS first_seen,
                       max(last_seen) AS last_seen, groupUniqArrayMerge(100)(releases) AS releases, anyMerge(sample_event_id) AS sample_event_id
                FROM issue_stats WHERE project = {project:String} GROUP BY fingerprint
                HAVING last_seen >= {from:DateTime64(3, 'UTC')} AND first_seen <= {to:DateTime64(3, 'UTC')}
              ) AS s
              INNER JOIN (SELECT fingerprint, cluster_id, confidence, evidence FROM cluster_membership FINAL WHERE project = {project:String}) AS m USING (fingerprint)
              INNER JOIN (SELECT * FROM issues FINAL WHERE project = {project:String}) AS i USING (fingerprint)
              ORDER BY events DESC, fingerprint`,
      query_params: { project, from: toClickHouseTime(range.from ?? EPOCH), to: toClickHouseTime(range.to ?? FAR_FUTURE) },
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

  /** Clusters of a project: issue stats merged across member issues (users are a merged uniq state, not a sum). */
  async clusters(project: string, range: TimeRange = {}): Promise<ClusterSummaryRow[]> {
    const result = await this.client.query({
      query: `SELECT m.cluster_id AS cluster_id, groupArray(s.fingerprint) AS fingerprints, sum(s.events) AS events,
                     uniqMerge(s.users) AS users, min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen,
                     groupUniqArrayMerge(100)(s.releases) AS releases, groupUniqArrayMerge(20)(s.environments) AS environments
              FROM (
                SELECT fingerprint, sum(events) AS events, uniqMergeState(users) AS users, min(first_seen) AS first_seen,
                       max(last_seen) AS last_seen, groupUniqArrayMergeState(100)(releases) AS releases,
                       groupUniqArrayMergeState(20)(environments) AS environments
                FROM issue_stats WHERE project = {project:String} GROUP BY fingerprint
              ) AS s
              INNER JOIN (SELECT fingerprint, cluster_id FROM cluster_membership FINAL WHERE project = {project:String}) AS m USING (fingerprint)
              GROUP BY cluster_id
              HAVING last_seen >= {from:DateTime64(3, 'UTC')} AND first_seen <= {to:DateTime64(3, 'UTC')}
              ORDER BY events DESC, cluster_id`,
      query_params: { project, from: toClickHouseTime(range.from ?? EPOCH), to: toClickHouseTime(range.to ?? FAR_FUTURE) },
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
  async minuteCounts(project: string, fingerprints: string[], range: TimeRange = {}): Promise<Array<{ minute: string; events: number }>> {
    const result = await this.client.query({
      query: `SELECT minute, sum(events) AS events FROM issue_minutes
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
                AND minute >= toDateTime({from:DateTime64(3, 'UTC')}) AND minute <= toDateTime({to:DateTime64(3, 'UTC')})
              GROUP BY minute ORDER BY minute`,
      query_params: { project, fingerprints, from: toClickHouseTime(range.from ?? EPOCH), to: toClickHouseTime(range.to ?? FAR_FUTURE) },
      format: 'JSONEachRow',
    });
    return (await result.json<{ minute: string; events: number | string }>()).map((r) => ({
      minute: fromClickHouseTime(r.minute),
      events: Number(r.events),
    }));
  }

  /** A sample of the transactions and tags of a set of issues: what criticality rules look at. */
  async context(project: string, fingerprints: string[]): Promise<{ transactions: string[]; tags: Record<string, string>[] }> {
    const result = await this.client.query({
      query: `SELECT groupUniqArray(20)(transaction) AS transactions, groupArraySample(20)(tags) AS tags FROM crash_events
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}`,
      query_params: { project, fingerprints },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ transactions: string[]; tags: Record<string, string>[] }>();
    return { transactions: (row?.transactions ?? []).filter((t) => t !== ''), tags: row?.tags ?? [] };
  }
}
