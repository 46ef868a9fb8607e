import type { ClickHouseClient } from '@clickhouse/client';
import { ClusterQueries, type ReleaseCountRow } from './cluster-queries';
import { DT, FAR_FUTURE, selectRows, timeRangeParams } from './query';
import { fromClickHouseTime, toClickHouseTime, toDeployRow } from './rows';

/** A keyset position: rows strictly after (at, id) in `at DESC, id ASC` order. */
export interface Keyset {
  at: string;
  id: string;
}

export interface ClusterListFilter {
  from?: string;
  to?: string;
  /** '' or absent: any. */
  environment?: string;
  release?: string;
  /** Only these clusters (all when absent or empty). */
  clusterIds?: string[];
}

export interface ClusterListRow {
  clusterId: string;
  /** Within the filter (window, environment, release). */
  events: number;
  affectedUsers: number;
  windowFirstEvent: string;
  windowLastEvent: string;
  transactions: string[];
  /** Distinct `key=value` tags of the filtered events (a bounded sample). */
  tagPairs: string[];
  /** All time. */
  issues: number;
  confidence: number;
  title: string;
  category: string;
  firstSeen: string;
  lastSeen: string;
  releases: string[];
  environments: string[];
  /** One status per member issue ('unresolved' when never set). */
  statuses: string[];
}

export interface ClusterIssueRow {
  fingerprint: string;
  title: string;
  category: string;
  errorType: string;
  canonicalKind: string;
  culprit: string;
  platform: string;
  confidence: number;
  assignedBy: string;
  membershipVersion: number;
  events: number;
  affectedUsers: number;
  firstSeen: string | null;
  lastSeen: string | null;
  status: string;
  resolvedInRelease: string | null;
}

export interface BreakdownRow {
  dimension: string;
  value: string;
  events: number;
}

export interface EventSummaryRow {
  eventId: string;
  fingerprint: string;
  timestamp: string;
  platform: string;
  release: string;
  environment: string;
  severity: string;
  errorType: string;
  message: string;
  userId: string;
  transaction: string;
  /** The crash site, e.g. `fn (file:line)`. */
  crashFrame: string;
  payloadKept: boolean;
}

export interface DeployRecord {
  id: string;
  project: string;
  environment: string;
  release: string;
  commitSha: string | null;
  previousSha: string | null;
  deployedAt: string;
  changedFiles: string[];
  receivedAt?: string;
}

export interface AnalysisRecord {
  id: string;
  clusterId: string;
  analyzer: string;
  model: string;
  status: string;
  failureReason: string;
  document: string;
  markdown: string;
  evidence: string | null;
  inputTokens: number;
  outputTokens: number;
  createdAt: string;
}

export interface AlertDeliveryRow {
  alertId: string;
  clusterId: string;
  trigger: string;
  target: string;
  status: string;
  attempts: number;
  lastError: string;
  payload: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredProjectRow {
  id: string;
  name: string;
  publicKey: string;
}

const after = (k: Keyset | undefined) => ({ after_at: toClickHouseTime(k?.at ?? FAR_FUTURE), after_id: k?.id ?? '' });
const n = (v: number | string) => Number(v);

/**
 * The HTTP API's reads and writes. Every value is a bound query parameter; optional filters are
 * expressed in SQL (`{p:String} = '' OR col = {p:String}`), never by assembling SQL text.
 */
export class ApiQueries {
  constructor(private readonly client: ClickHouseClient) {}

  /** Projects created in the `projects` table (config projects are merged by the caller). */
  async storedProjects(): Promise<StoredProjectRow[]> {
    const rows = await selectRows<{ id: string; name: string; public_key: string }>(
      this.client,
      'SELECT id, name, public_key FROM projects FINAL ORDER BY id',
      {},
    );
    return rows.map((r) => ({ id: r.id, name: r.name, publicKey: r.public_key }));
  }

  /**
   * One row per cluster of the project: counts within the filter (zero when no event matched),
   * plus the cluster's all-time facts (issues, first/last seen, releases, statuses).
   */
  async clusterList(project: string, filter: ClusterListFilter): Promise<ClusterListRow[]> {
    const rows = await selectRows<{
      cluster_id: string; events: number | string; users: number | string; window_first: string; window_last: string;
      transactions: string[]; tag_pairs: string[]; issues: number | string; confidence: number; title: string; category: string;
      first_seen: string; last_seen: string; releases: string[]; environments: string[]; statuses: string[];
    }>(
      this.client,
      `SELECT f.cluster_id AS cluster_id, w.events AS events, w.users AS users, w.window_first AS window_first,
              w.window_last AS window_last, w.transactions AS transactions, w.tag_pairs AS tag_pairs,
              f.issues AS issues, f.confidence AS confidence, f.title AS title, f.category AS category,
              f.first_seen AS first_seen, f.last_seen AS last_seen, f.releases AS releases, f.environments AS environments,
              f.statuses AS statuses
       FROM (
         SELECT m.cluster_id AS cluster_id, count() AS issues, min(m.confidence) AS confidence,
                argMax(i.title, s.events) AS title, argMax(i.category, s.events) AS category,
                min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen,
                arraySort(groupUniqArrayArray(200)(s.releases)) AS releases,
                arraySort(groupUniqArrayArray(50)(s.environments)) AS environments,
                groupArray(if(st.status = '', 'unresolved', st.status)) AS statuses
         FROM (
           SELECT fingerprint, cluster_id, confidence FROM cluster_membership FINAL
           WHERE project = {project:String} AND (length({clusters:Array(String)}) = 0 OR cluster_id IN {clusters:Array(String)})
         ) AS m
         LEFT JOIN (
           SELECT fingerprint, sum(events) AS events, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                  groupUniqArrayMerge(100)(releases) AS releases, groupUniqArrayMerge(20)(environments) AS environments
           FROM issue_stats WHERE project = {project:String} GROUP BY fingerprint
         ) AS s ON s.fingerprint = m.fingerprint
         LEFT JOIN (SELECT fingerprint, title, category FROM issues FINAL WHERE project = {project:String}) AS i
           ON i.fingerprint = m.fingerprint
         LEFT JOIN (SELECT fingerprint, status FROM issue_status FINAL WHERE project = {project:String}) AS st
           ON st.fingerprint = m.fingerprint
         GROUP BY m.cluster_id
       ) AS f
       LEFT JOIN (
         SELECT m.cluster_id AS cluster_id, count() AS events, uniqIf(e.user_id, e.user_id != '') AS users,
                min(e.timestamp) AS window_first, max(e.timestamp) AS window_last,
                groupUniqArrayIf(20)(e.transaction, e.transaction != '') AS transactions,
                groupUniqArrayArray(200)(arrayMap((k, v) -> concat(k, '=', v), mapKeys(e.tags), mapValues(e.tags))) AS tag_pairs
         FROM crash_events AS e
         INNER JOIN (
           SELECT fingerprint, cluster_id FROM cluster_membership FINAL
           WHERE project = {project:String} AND (length({clusters:Array(String)}) = 0 OR cluster_id IN {clusters:Array(String)})
         ) AS m ON e.fingerprint = m.fingerprint
         WHERE e.project = {project:String}
           AND e.timestamp >= {from:${DT}} AND e.timestamp <= {to:${DT}}
           AND ({environment:String} = '' OR e.environment = {environment:String})
           AND ({release:String} = '' OR e.release = {release:String})
         GROUP BY m.cluster_id
       ) AS w ON w.cluster_id = f.cluster_id
       ORDER BY f.cluster_id`,
      {
        project,
        ...timeRangeParams(filter),
        environment: filter.environment ?? '',
        release: filter.release ?? '',
        clusters: filter.clusterIds ?? [],
      },
    );
    return rows.map((r) => ({
      clusterId: r.cluster_id,
      events: n(r.events),
      affectedUsers: n(r.users),
      windowFirstEvent: fromClickHouseTime(r.window_first),
      windowLastEvent: fromClickHouseTime(r.window_last),
      transactions: r.transactions,
      tagPairs: r.tag_pairs,
      issues: n(r.issues),
      confidence: Number(r.confidence),
      title: r.title,
      category: r.category,
      firstSeen: fromClickHouseTime(r.first_seen),
      lastSeen: fromClickHouseTime(r.last_seen),
      releases: r.releases,
      environments: r.environments,
      statuses: r.statuses,
    }));
  }

  /** The highest membership version among the given issues (0 when none). */
  async maxMembershipVersion(project: string, fingerprints: string[]): Promise<number> {
    if (fingerprints.length === 0) return 0;
    const [row] = await selectRows<{ version: number | string }>(
      this.client,
      `SELECT max(version) AS version FROM cluster_membership
       WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}`,
      { project, fingerprints },
    );
    return n(row?.version ?? 0);
  }

  /** A cluster's member issues with their stats, membership and status. */
  async clusterIssues(project: string, clusterId: string): Promise<ClusterIssueRow[]> {
    const rows = await selectRows<{
      fingerprint: string; title: string; category: string; error_type: string; canonical_kind: string; culprit: string;
      platform: string; confidence: number; assigned_by: string; version: number | string; events: number | string;
      users: number | string; first_seen: string; last_seen: string; status: string; resolved_in_release: string;
    }>(
      this.client,
      `SELECT m.fingerprint AS fingerprint, i.title AS title, i.category AS category, i.error_type AS error_type,
              i.canonical_kind AS canonical_kind, i.culprit AS culprit, i.platform AS platform, m.confidence AS confidence,
              m.assigned_by AS assigned_by, m.version AS version, s.events AS events, s.users AS users,
              s.first_seen AS first_seen, s.last_seen AS last_seen,
              if(st.status = '', 'unresolved', st.status) AS status, st.resolved_in_release AS resolved_in_release
       FROM (SELECT fingerprint, confidence, assigned_by, version FROM cluster_membership FINAL
             WHERE project = {project:String} AND cluster_id = {cluster:String}) AS m
       LEFT JOIN (
         SELECT fingerprint, sum(events) AS events, uniqMerge(users) AS users, min(first_seen) AS first_seen, max(last_seen) AS last_seen
         FROM issue_stats WHERE project = {project:String} GROUP BY fingerprint
       ) AS s ON s.fingerprint = m.fingerprint
       LEFT JOIN (SELECT fingerprint, title, category, error_type, canonical_kind, culprit, platform FROM issues FINAL
                  WHERE project = {project:String}) AS i ON i.fingerprint = m.fingerprint
       LEFT JOIN (SELECT fingerprint, status, resolved_in_release FROM issue_status FINAL WHERE project = {project:String}) AS st
         ON st.fingerprint = m.fingerprint
       ORDER BY events DESC, fingerprint`,
      { project, cluster: clusterId },
    );
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      title: r.title,
      category: r.category,
      errorType: r.error_type,
      canonicalKind: r.canonical_kind,
      culprit: r.culprit,
      platform: r.platform,
      confidence: Number(r.confidence),
      assignedBy: r.assigned_by,
      membershipVersion: n(r.version),
      events: n(r.events),
      affectedUsers: n(r.users),
      // An issue whose events have not reached issue_stats yet has no stats row (epoch defaults).
      firstSeen: n(r.events) > 0 ? fromClickHouseTime(r.first_seen) : null,
      lastSeen: n(r.events) > 0 ? fromClickHouseTime(r.last_seen) : null,
      status: r.status,
      resolvedInRelease: r.resolved_in_release || null,
    }));
  }

  async releaseCounts(project: string, fingerprints: string[], window: { from?: string; to?: string } = {}): Promise<ReleaseCountRow[]> {
    if (fingerprints.length === 0) return [];
    return (await new ClusterQueries(this.client).releases(project, [{ clusterId: '', fingerprints }], window)).get('') ?? [];
  }

  /** Top values per dimension (browser, os, device, region, release, environment), `perDimension` each. */
  async breakdowns(project: string, fingerprints: string[], window: { from?: string; to?: string }, perDimension: number): Promise<BreakdownRow[]> {
    if (fingerprints.length === 0) return [];
    const rows = await selectRows<{ dimension: string; value: string; events: number | string }>(
      this.client,
      `SELECT pair.1 AS dimension, pair.2 AS value, count() AS events
       FROM crash_events
       ARRAY JOIN [('browser', toString(browser)), ('os', toString(os)), ('device', toString(device)),
                   ('region', toString(region)), ('release', toString(release)), ('environment', toString(environment))] AS pair
       WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
         AND timestamp >= {from:${DT}} AND timestamp <= {to:${DT}}
       GROUP BY dimension, value
       ORDER BY dimension, events DESC, value
       LIMIT {per:UInt32} BY dimension`,
      { project, fingerprints, ...timeRangeParams(window), per: perDimension },
    );
    return rows.map((r) => ({ dimension: r.dimension, value: r.value, events: n(r.events) }));
  }

  /** Newest first; `after` continues a previous page; `eventId` picks one event. */
  async listEvents(
    project: string,
    filter: { fingerprint?: string; eventId?: string; from?: string; to?: string; limit: number; after?: Keyset },
  ): Promise<EventSummaryRow[]> {
    const rows = await selectRows<{
      event_id: string; fingerprint: string; timestamp: string; platform: string; release: string; environment: string;
      severity: string; error_type: string; message: string; user_id: string; transaction: string; crash_frame: string; payload_kept: number;
    }>(
      this.client,
      `SELECT event_id, fingerprint, timestamp, platform, release, environment, severity, error_type, message, user_id, transaction,
              crash_frame, payload_kept
       FROM crash_events
       WHERE project = {project:String}
         AND ({fingerprint:String} = '' OR fingerprint = {fingerprint:String})
         AND ({event_id:String} = '' OR event_id = {event_id:String})
         AND timestamp >= {from:${DT}} AND timestamp <= {to:${DT}}
         AND (timestamp < {after_at:${DT}} OR (timestamp = {after_at:${DT}} AND event_id > {after_id:String}))
       ORDER BY timestamp DESC, event_id ASC
       LIMIT {limit:UInt32}`,
      { project, fingerprint: filter.fingerprint ?? '', event_id: filter.eventId ?? '', ...timeRangeParams(filter), ...after(filter.after), limit: filter.limit },
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      fingerprint: r.fingerprint,
      timestamp: fromClickHouseTime(r.timestamp),
      platform: r.platform,
      release: r.release,
      environment: r.environment,
      severity: r.severity,
      errorType: r.error_type,
      message: r.message,
      userId: r.user_id,
      transaction: r.transaction,
      crashFrame: r.crash_frame,
      payloadKept: Number(r.payload_kept) === 1,
    }));
  }

  async findDeploy(project: string, id: string): Promise<DeployRecord | null> {
    const [row] = await this.deployRows(
      `SELECT id, project, environment, release, commit_sha, previous_sha, deployed_at, changed_files, received_at
       FROM deploys FINAL WHERE project = {project:String} AND id = {id:String} LIMIT 1`,
      { project, id },
    );
    return row ?? null;
  }

  async insertDeploy(deploy: DeployRecord): Promise<void> {
    await this.client.insert({
      table: 'deploys',
      format: 'JSONEachRow',
      values: [toDeployRow(deploy)],
    });
  }

  /** Newest first. */
  async listDeploys(project: string, filter: { environment?: string; from?: string; to?: string; limit: number; after?: Keyset }): Promise<DeployRecord[]> {
    return this.deployRows(
      `SELECT id, project, environment, release, commit_sha, previous_sha, deployed_at, changed_files, received_at
       FROM deploys FINAL
       WHERE project = {project:String}
         AND ({environment:String} = '' OR environment = {environment:String})
         AND deployed_at >= {from:${DT}} AND deployed_at <= {to:${DT}}
         AND (deployed_at < {after_at:${DT}} OR (deployed_at = {after_at:${DT}} AND id > {after_id:String}))
       ORDER BY deployed_at DESC, id ASC
       LIMIT {limit:UInt32}`,
      { project, environment: filter.environment ?? '', ...timeRangeParams(filter), ...after(filter.after), limit: filter.limit },
    );
  }

  /** The latest deploy at or before `at` in any of the environments (any environment when the list is empty). */
  async deployBefore(project: string, at: string, environments: string[]): Promise<DeployRecord | null> {
    const [row] = await this.deployRows(
      `SELECT id, project, environment, release, commit_sha, previous_sha, deployed_at, changed_files, received_at
       FROM deploys FINAL
       WHERE project = {project:String} AND deployed_at <= {at:${DT}}
         AND (length({environments:Array(String)}) = 0 OR environment IN {environments:Array(String)})
       ORDER BY deployed_at DESC, id LIMIT 1`,
      { project, at: toClickHouseTime(at), environments },
    );
    return row ?? null;
  }

  private async deployRows(query: string, params: Record<string, unknown>): Promise<DeployRecord[]> {
    const rows = await selectRows<{
      id: string; project: string; environment: string; release: string; commit_sha: string; previous_sha: string;
      deployed_at: string; changed_files: string[]; received_at: string;
    }>(this.client, query, params);
    return rows.map((r) => ({
      id: r.id,
      project: r.project,
      environment: r.environment,
      release: r.release,
      commitSha: r.commit_sha || null,
      previousSha: r.previous_sha || null,
      deployedAt: fromClickHouseTime(r.deployed_at),
      changedFiles: r.changed_files,
      receivedAt: fromClickHouseTime(r.received_at),
    }));
  }

  /** Newest first; evidence (large) only when asked for. */
  async analyses(project: string, clusterId: string, options: { limit: number; withEvidence: boolean }): Promise<AnalysisRecord[]> {
    const rows = await selectRows<{
      id: string; cluster_id: string; analyzer: string; model: string; status: string; failure_reason: string; document: string;
      markdown: string; evidence: string; input_tokens: number | string; output_tokens: number | string; created_at: string;
    }>(
      this.client,
      `SELECT id, cluster_id, analyzer, model, status, failure_reason, document, markdown,
              if({evidence:UInt8} = 1, evidence, '') AS evidence, input_tokens, output_tokens, created_at
       FROM analyses FINAL
       WHERE project = {project:String} AND cluster_id = {cluster:String}
       ORDER BY created_at DESC, id LIMIT {limit:UInt32}`,
      { project, cluster: clusterId, evidence: options.withEvidence ? 1 : 0, limit: options.limit },
    );
    return rows.map((r) => ({
      id: r.id,
      clusterId: r.cluster_id,
      analyzer: r.analyzer,
      model: r.model,
      status: r.status,
      failureReason: r.failure_reason,
      document: r.document,
      markdown: r.markdown,
      evidence: options.withEvidence ? r.evidence : null,
      inputTokens: n(r.input_tokens),
      outputTokens: n(r.output_tokens),
      createdAt: fromClickHouseTime(r.created_at),
    }));
  }

  /**
   * A page of alerts (newest first) with every delivery row of each: one alert goes to several
   * targets, each with its own outcome.
   */
  async listAlerts(
    project: string,
    filter: { clusterId?: string; from?: string; to?: string; limit: number; after?: Keyset },
  ): Promise<AlertDeliveryRow[]> {
    const page = await selectRows<{ id: string }>(
      this.client,
      `SELECT id, min(created_at) AS created FROM alerts FINAL
       WHERE project = {project:String} AND ({cluster:String} = '' OR cluster_id = {cluster:String})
         AND created_at >= {from:${DT}} AND created_at <= {to:${DT}}
       GROUP BY id
       HAVING created < {after_at:${DT}} OR (created = {after_at:${DT}} AND id > {after_id:String})
       ORDER BY created DESC, id ASC
       LIMIT {limit:UInt32}`,
      { project, cluster: filter.clusterId ?? '', ...timeRangeParams(filter), ...after(filter.after), limit: filter.limit },
    );
    if (page.length === 0) return [];
    const rows = await selectRows<{
      id: string; cluster_id: string; trigger: string; target: string; status: string; attempts: number | string;
      last_error: string; payload: string; created_at: string; updated_at: string;
    }>(
      this.client,
      `SELECT id, cluster_id, trigger, target, status, attempts, last_error, payload, created_at, updated_at
       FROM alerts FINAL WHERE project = {project:String} AND id IN {ids:Array(String)}
       ORDER BY created_at DESC, id, target`,
      { project, ids: page.map((p) => p.id) },
    );
    const order = new Map(page.map((p, i) => [p.id, i]));
    rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return rows.map((r) => ({
      alertId: r.id,
      clusterId: r.cluster_id,
      trigger: r.trigger,
      target: r.target,
      status: r.status,
      attempts: n(r.attempts),
      lastError: r.last_error,
      payload: r.payload,
      createdAt: fromClickHouseTime(r.created_at),
      updatedAt: fromClickHouseTime(r.updated_at),
    }));
  }
}
