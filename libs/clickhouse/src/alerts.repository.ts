import type { ClickHouseClient } from '@clickhouse/client';
import { DT, selectRows } from './query';
import { fromClickHouseTime, toClickHouseTime } from './rows';

export type AlertRecordStatus = 'sent' | 'failed' | 'suppressed';

/** One alert to one target: the row the detector writes after it decided and, when sending, delivered. */
export interface AlertRecord {
  /** The signal id the alert is about (deterministic), so a replayed signal finds it. */
  id: string;
  project: string;
  clusterId: string;
  trigger: string;
  /** The webhook URL ('' when nothing was addressed: suppressed without targets). */
  target: string;
  status: AlertRecordStatus;
  attempts: number;
  lastError: string;
  /** The body as sent (or as it would have been sent). */
  payload: string;
  createdAt: string;
}

/** What a cluster looks like to a human reading an alert: its name and its impact so far. */
export interface ClusterImpactRow {
  clusterId: string;
  fingerprints: string[];
  /** Title and category of the member issue seen first (the one that opened the cluster). */
  title: string;
  category: string;
  events: number;
  affectedUsers: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * The alerts table: one row per (alert, target), ReplacingMergeTree(updated_at). The detector reads it
 * back for two decisions: was this signal alerted already (dedupe), and when did each
 * project|cluster|trigger last go out (cooldown).
 */
export class AlertsRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async record(rows: AlertRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({
      table: 'alerts',
      format: 'JSONEachRow',
      values: rows.map((r) => ({
        id: r.id,
        project: r.project,
        cluster_id: r.clusterId,
        trigger: r.trigger,
        target: r.target,
        status: r.status,
        attempts: r.attempts,
        last_error: r.lastError,
        payload: r.payload,
        created_at: toClickHouseTime(r.createdAt),
        updated_at: toClickHouseTime(r.createdAt),
      })),
    });
  }

  /** Of the given alert ids, those with any row: decided before, whatever the outcome. */
  async known(project: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await selectRows<{ id: string }>(
      this.client,
      'SELECT DISTINCT id FROM alerts WHERE project = {project:String} AND id IN {ids:Array(String)}',
      { project, ids },
    );
    return new Set(rows.map((r) => r.id));
  }

  /** When each project|cluster|trigger last went out (sent or failed, not suppressed) since `since`. */
  async lastAlerted(projects: string[], since: string): Promise<Array<{ project: string; clusterId: string; trigger: string; at: string }>> {
    if (projects.length === 0) return [];
    const rows = await selectRows<{ project: string; cluster_id: string; trigger: string; at: string }>(
      this.client,
      `SELECT project, cluster_id, trigger, max(created_at) AS at FROM alerts FINAL
       WHERE project IN {projects:Array(String)} AND status IN ('sent', 'failed') AND created_at >= {since:${DT}}
       GROUP BY project, cluster_id, trigger`,
      { projects, since: toClickHouseTime(since) },
    );
    return rows.map((r) => ({ project: r.project, clusterId: r.cluster_id, trigger: r.trigger, at: fromClickHouseTime(r.at) }));
  }

  /** Every delivery row of a project (optionally of some alert ids), oldest first. */
  async deliveries(project: string, ids?: string[]): Promise<AlertRecord[]> {
    const rows = await selectRows<{
      id: string; cluster_id: string; trigger: string; target: string; status: AlertRecordStatus; attempts: number | string;
      last_error: string; payload: string; created_at: string;
    }>(
      this.client,
      `SELECT id, cluster_id, trigger, target, status, attempts, last_error, payload, created_at FROM alerts FINAL
       WHERE project = {project:String} AND (length({ids:Array(String)}) = 0 OR id IN {ids:Array(String)})
       ORDER BY created_at, id, target`,
      { project, ids: ids ?? [] },
    );
    return rows.map((r) => ({
      id: r.id,
      project,
      clusterId: r.cluster_id,
      trigger: r.trigger,
      target: r.target,
      status: r.status,
      attempts: Number(r.attempts),
      lastError: r.last_error,
      payload: r.payload,
      createdAt: fromClickHouseTime(r.created_at),
    }));
  }

  /** Impact of some clusters: events, users (merged uniq states), first/last seen, and the founding issue's title. */
  async clusterImpact(project: string, clusterIds: string[]): Promise<Map<string, ClusterImpactRow>> {
    if (clusterIds.length === 0) return new Map();
    const rows = await selectRows<{
      cluster_id: string; fingerprints: string[]; title: string; category: string; events: number | string; users: number | string;
      first_seen: string; last_seen: string;
    }>(
      this.client,
      `WITH members AS (SELECT fingerprint, cluster_id FROM cluster_membership FINAL
                        WHERE project = {project:String} AND cluster_id IN {clusters:Array(String)})
       SELECT m.cluster_id AS cluster_id, groupArray(s.fingerprint) AS fingerprints,
              argMin(i.title, (s.first_seen, s.fingerprint)) AS title, argMin(i.category, (s.first_seen, s.fingerprint)) AS category,
              sum(s.events) AS events, uniqMerge(s.users) AS users, min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen
       FROM (SELECT fingerprint, sum(events) AS events, uniqMergeState(users) AS users, min(first_seen) AS first_seen, max(last_seen) AS last_seen
             FROM issue_stats WHERE project = {project:String} AND fingerprint IN (SELECT fingerprint FROM members) GROUP BY fingerprint) AS s
       INNER JOIN members AS m ON s.fingerprint = m.fingerprint
       LEFT JOIN (SELECT fingerprint, title, category FROM issues FINAL WHERE project = {project:String}
                  AND fingerprint IN (SELECT fingerprint FROM members)) AS i ON s.fingerprint = i.fingerprint
       GROUP BY cluster_id`,
      { project, clusters: clusterIds },
    );
    return new Map(
      rows.map((r) => [
        r.cluster_id,
        {
          clusterId: r.cluster_id,
          fingerprints: [...r.fingerprints].sort(),
          title: r.title,
          category: r.category,
          events: Number(r.events),
          affectedUsers: Number(r.users),
          firstSeen: fromClickHouseTime(r.first_seen),
          lastSeen: fromClickHouseTime(r.last_seen),
        },
      ]),
    );
  }

}
