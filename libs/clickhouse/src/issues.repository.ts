import type { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, toClickHouseTime } from './rows';

export interface IssueRow {
  project: string;
  fingerprint: string;
  title: string;
  platform: string;
  errorType: string;
  canonicalKind: string;
  category: string;
  messageTemplate: string;
  culprit: string;
  /** The clustering signature, JSON. */
  signature: string;
  firstEventId: string;
  firstSeen: string;
}

export interface MembershipRow {
  project: string;
  fingerprint: string;
  clusterId: string;
  version: number;
  confidence: number;
  evidence: string;
  assignedBy: 'auto' | 'manual';
  assignedAt: string;
}

/** An issue's current cluster membership. */
export interface MemberRow {
  fingerprint: string;
  clusterId: string;
  version: number;
  confidence: number;
}

export interface KnownIssue {
  fingerprint: string;
  firstEventId: string;
  clusterId: string | null;
}

export type IssueStatusKind = 'unresolved' | 'resolved' | 'resolved_in_release' | 'ignored';

export interface IssueStatusRow {
  project: string;
  fingerprint: string;
  status: IssueStatusKind;
  resolvedInRelease: string | null;
  changedAt: string;
  changedBy: string;
}

/** Issues (one per fingerprint), their cluster membership (versioned) and statuses. */
export class IssuesRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async findKnown(project: string, fingerprints: string[]): Promise<Map<string, KnownIssue>> {
    if (fingerprints.length === 0) return new Map();
    const result = await this.client.query({
      query: `SELECT i.fingerprint AS fingerprint, i.first_event_id AS first_event_id, m.cluster_id AS cluster_id
              FROM (SELECT fingerprint, first_event_id FROM issues FINAL
                    WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}) AS i
              LEFT JOIN (SELECT fingerprint, cluster_id FROM cluster_membership FINAL
                    WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}) AS m
              USING (fingerprint)`,
      query_params: { project, fingerprints },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ fingerprint: string; first_event_id: string; cluster_id: string }>();
    return new Map(rows.map((r) => [r.fingerprint, { fingerprint: r.fingerprint, firstEventId: r.first_event_id, clusterId: r.cluster_id || null }]));
  }

  async insertIssues(rows: IssueRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({
      table: 'issues',
      format: 'JSONEachRow',
      values: rows.map((r) => ({
        project: r.project,
        fingerprint: r.fingerprint,
        title: r.title,
        platform: r.platform,
        error_type: r.errorType,
        canonical_kind: r.canonicalKind,
        category: r.category,
        message_template: r.messageTemplate,
        culprit: r.culprit,
        signature: r.signature,
        first_event_id: r.firstEventId,
        first_seen: toClickHouseTime(r.firstSeen),
      })),
    });
  }

  async insertMemberships(rows: MembershipRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({
      table: 'cluster_membership',
      format: 'JSONEachRow',
      values: rows.map((r) => ({
        project: r.project,
        fingerprint: r.fingerprint,
        cluster_id: r.clusterId,
        version: r.version,
        confidence: r.confidence,
        evidence: r.evidence,
        assigned_by: r.assignedBy,
        assigned_at: toClickHouseTime(r.assignedAt),
      })),
    });
  }

  /**
   * The clusters of a project (all, or the given ones) with a bounded sample of member signatures
   * each (most events first): what a new issue is compared against.
   */
  async clusterCandidates(project: string, membersPerCluster: number, clusterIds: string[] = []): Promise<Array<{ clusterId: string; signatures: string[] }>> {
    const result = await this.client.query({
      query: `SELECT cluster_id, groupArray({members:UInt32})(signature) AS signatures
              FROM (
                SELECT m.cluster_id AS cluster_id, i.signature AS signature, s.events AS events
                FROM (SELECT fingerprint, cluster_id FROM cluster_membership FINAL WHERE project = {project:String}
                        AND (empty({clusterIds:Array(String)}) OR has({clusterIds:Array(String)}, cluster_id))) AS m
                INNER JOIN (SELECT fingerprint, signature FROM issues FINAL WHERE project = {project:String}) AS i USING (fingerprint)
                LEFT JOIN (SELECT fingerprint, sum(events) AS events FROM issue_stats WHERE project = {project:String} GROUP BY fingerprint) AS s
                  USING (fingerprint)
                ORDER BY cluster_id, events DESC, fingerprint
              )
              GROUP BY cluster_id
              ORDER BY cluster_id`,
      query_params: { project, members: membersPerCluster, clusterIds },
      format: 'JSONEachRow',
    });
    return (await result.json<{ cluster_id: string; signatures: string[] }>()).map((r) => ({ clusterId: r.cluster_id, signatures: r.signatures }));
  }

  /**
   * Every cluster of the project with when it was founded: the first time one of its current
   * member issues was stored (`issues.created_at`, the server's clock at insert). Orders clusters
   * opened at the same time by several clusterer instances.
   */
  async clusterFoundings(project: string): Promise<Map<string, string>> {
    const result = await this.client.query({
      query: `SELECT m.cluster_id AS cluster_id, min(i.created_at) AS founded
              FROM (SELECT fingerprint, cluster_id FROM cluster_membership FINAL WHERE project = {project:String}) AS m
              INNER JOIN (SELECT fingerprint, created_at FROM issues FINAL WHERE project = {project:String}) AS i USING (fingerprint)
              GROUP BY cluster_id`,
      query_params: { project },
      format: 'JSONEachRow',
    });
    return new Map((await result.json<{ cluster_id: string; founded: string }>()).map((r) => [r.cluster_id, r.founded]));
  }

  /** The current members (latest membership version) of the given clusters. */
  async clusterMembers(project: string, clusterIds: string[]): Promise<MemberRow[]> {
    if (clusterIds.length === 0) return [];
    const result = await this.client.query({
      query: `SELECT fingerprint, cluster_id, version, confidence FROM cluster_membership FINAL
              WHERE project = {project:String} AND cluster_id IN {clusterIds:Array(String)} ORDER BY cluster_id, fingerprint`,
      query_params: { project, clusterIds },
      format: 'JSONEachRow',
    });
    return (await result.json<{ fingerprint: string; cluster_id: string; version: number | string; confidence: number }>()).map((r) => ({
      fingerprint: r.fingerprint,
      clusterId: r.cluster_id,
      version: Number(r.version),
      confidence: Number(r.confidence),
    }));
  }

  async setStatus(row: IssueStatusRow): Promise<void> {
    await this.client.insert({
      table: 'issue_status',
      format: 'JSONEachRow',
      values: [
        {
          project: row.project,
          fingerprint: row.fingerprint,
          status: row.status,
          resolved_in_release: row.resolvedInRelease ?? '',
          changed_at: toClickHouseTime(row.changedAt),
          changed_by: row.changedBy,
          version: Date.parse(row.changedAt),
        },
      ],
    });
  }

  async statuses(project: string, fingerprints: string[]): Promise<Map<string, IssueStatusRow>> {
    if (fingerprints.length === 0) return new Map();
    const result = await this.client.query({
      query: `SELECT fingerprint, status, resolved_in_release, changed_at, changed_by FROM issue_status FINAL
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}`,
      query_params: { project, fingerprints },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ fingerprint: string; status: IssueStatusKind; resolved_in_release: string; changed_at: string; changed_by: string }>();
    return new Map(
      rows.map((r) => [
        r.fingerprint,
        {
          project,
          fingerprint: r.fingerprint,
          status: r.status,
          resolvedInRelease: r.resolved_in_release || null,
          changedAt: fromClickHouseTime(r.changed_at),
          changedBy: r.changed_by,
        },
      ]),
    );
  }
}
