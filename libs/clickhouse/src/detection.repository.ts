import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Signal, SignalKind } from '@faultline/schema';
import { DT, selectRows } from './query';
import { fromClickHouseTime, toClickHouseTime, toDeployRow } from './rows';
import type { DeployRecord } from './api-queries';
import { toSignal, type SignalRow } from './signals.repository';

/**
 * The id of a reported deploy marker: the same project, environment, release and time is one marker,
 * whoever records it (the API on POST, the detector from the deploys topic). The time is normalized to
 * ISO-8601 UTC first, so `+02:00` and `Z` spellings of one instant give one id.
 */
export function deployMarkerId(project: string, environment: string, release: string, deployedAt: string): string {
  const at = new Date(deployedAt).toISOString();
  return createHash('sha256').update(`${project}|${environment}|${release}|${at}`).digest('hex').slice(0, 32);
}

/** Prefix of deploy markers the detector inferred from events (no deploy was reported for that release). */
export const INFERRED_DEPLOY_PREFIX = 'inferred:';

/**
 * The id of an inferred marker. It leaves out the time on purpose: a late event that moves the release's
 * first sighting earlier rewrites the same row (ReplacingMergeTree keeps the last insert) instead of adding one.
 */
export function inferredDeployId(project: string, environment: string, release: string): string {
  return INFERRED_DEPLOY_PREFIX + createHash('sha256').update(`${project}|${environment}|${release}`).digest('hex').slice(0, 32);
}

export function isInferredDeployId(id: string): boolean {
  return id.startsWith(INFERRED_DEPLOY_PREFIX);
}

export type DeployMarker = Omit<DeployRecord, 'receivedAt'> & {
  /** Inferred from the first event of a release nobody reported a deploy for. */
  inferred: boolean;
};

/** A release seen in events (release_stats) with no deploy marker in its environment. */
export interface UnmarkedRelease {
  project: string;
  environment: string;
  release: string;
  firstSeen: string;
}

/** An issue marked fixed, with what happened to it since: events per release after the status change. */
export interface ResolvedIssueActivity {
  fingerprint: string;
  clusterId: string | null;
  status: 'resolved' | 'resolved_in_release';
  resolvedInRelease: string | null;
  changedAt: string;
  /** Releases of events strictly after `changedAt` ('' = no release), with the first such event of each. */
  releases: Array<{ release: string; firstAt: string; events: number }>;
}

/** Reads and writes of the detector: deploy markers, per-minute cluster counts, resolved issues, its own outbox. */
export class DetectionRepository {
  constructor(private readonly client: ClickHouseClient) {}

  /** Projects that have any issue. */
  async projects(): Promise<string[]> {
    const rows = await selectRows<{ project: string }>(this.client, 'SELECT DISTINCT project FROM issue_stats ORDER BY project', {});
    return rows.map((r) => r.project);
  }

  /** Stores deploy markers once: ids already present are left alone (the API may have written them first). */
  async insertDeploys(markers: DeployMarker[]): Promise<DeployMarker[]> {
    if (markers.length === 0) return [];
    const unique = new Map(markers.map((m) => [`${m.project}\u0000${m.id}`, m]));
    const known = new Set<string>();
    for (const [project, list] of groupBy([...unique.values()], (m) => m.project)) {
      const rows = await selectRows<{ id: string }>(
        this.client,
        'SELECT DISTINCT id FROM deploys WHERE project = {project:String} AND id IN {ids:Array(String)}',
        { project, ids: list.map((m) => m.id) },
      );
      for (const r of rows) known.add(`${project}\u0000${r.id}`);
    }
    const fresh = [...unique.entries()].filter(([key]) => !known.has(key)).map(([, m]) => m);
    if (fresh.length === 0) return [];
    await this.client.insert({
      table: 'deploys',
      format: 'JSONEachRow',
      values: fresh.map(toDeployRow),
    });
    return fresh;
  }

  /** Every deploy marker of a project, oldest first. */
  async deploys(project: string): Promise<DeployMarker[]> {
    const rows = await selectRows<{
      id: string; environment: string; release: string; commit_sha: string; previous_sha: string; deployed_at: string; changed_files: string[];
    }>(
      this.client,
      `SELECT id, environment, release, commit_sha, previous_sha, deployed_at, changed_files FROM deploys FINAL
       WHERE project = {project:String} ORDER BY deployed_at, id`,
      { project },
    );
    return rows.map((r) => ({
      id: r.id,
      project,
      environment: r.environment,
      release: r.release,
      commitSha: r.commit_sha || null,
      previousSha: r.previous_sha || null,
      deployedAt: fromClickHouseTime(r.deployed_at),
      changedFiles: r.changed_files,
      inferred: isInferredDeployId(r.id),
    }));
  }

  /**
   * Releases seen in events that no marker covers: no deploy of that release in that environment, or,
   * for events without an environment, in any environment. Both tables are small (one row per release).
   */
  async unmarkedReleases(): Promise<UnmarkedRelease[]> {
    const seen = await selectRows<{ project: string; environment: string; release: string; first_seen: string }>(
      this.client,
      `SELECT project, environment, release, min(first_seen) AS first_seen FROM release_stats
       GROUP BY project, environment, release ORDER BY project, first_seen`,
      {},
    );
    const marked = await selectRows<{ project: string; environment: string; release: string }>(
      this.client,
      'SELECT DISTINCT project, environment, release FROM deploys',
      {},
    );
    const exact = new Set(marked.map((m) => `${m.project}\u0000${m.environment}\u0000${m.release}`));
    const anyEnv = new Set(marked.map((m) => `${m.project}\u0000${m.release}`));
    return seen
      .filter((r) => (r.environment === '' ? !anyEnv.has(`${r.project}\u0000${r.release}`) : !exact.has(`${r.project}\u0000${r.environment}\u0000${r.release}`)))
      .map((r) => ({ project: r.project, environment: r.environment, release: r.release, firstSeen: fromClickHouseTime(r.first_seen) }));
  }

  /** Clusters (current membership) with any event since `since`, with their environments over all time. */
  async activeClusters(project: string, since: string, until: string): Promise<Array<{ clusterId: string; fingerprints: string[]; environments: string[] }>> {
    const rows = await selectRows<{ cluster_id: string; fingerprints: string[]; environments: string[] }>(
      this.client,
      `SELECT m.cluster_id AS cluster_id, groupArray(m.fingerprint) AS fingerprints, groupUniqArrayMerge(20)(s.environments) AS environments
       FROM (SELECT fingerprint, cluster_id FROM cluster_membership FINAL
             WHERE project = {project:String} AND cluster_id IN (
               SELECT cluster_id FROM cluster_membership FINAL WHERE project = {project:String} AND fingerprint IN (
                 SELECT DISTINCT fingerprint FROM issue_minutes
                 WHERE project = {project:String} AND minute >= toDateTime({since:${DT}}) AND minute <= toDateTime({until:${DT}})))) AS m
       LEFT JOIN (SELECT fingerprint, groupUniqArrayMergeState(20)(environments) AS environments FROM issue_stats
                  WHERE project = {project:String} GROUP BY fingerprint) AS s USING (fingerprint)
       GROUP BY cluster_id ORDER BY cluster_id`,
      { project, since: toClickHouseTime(since), until: toClickHouseTime(until) },
    );
    return rows.map((r) => ({ clusterId: r.cluster_id, fingerprints: [...r.fingerprints].sort(), environments: [...r.environments].sort() }));
  }

  /**
   * Per-minute event counts of each cluster, summed over its current member issues (membership FINAL, so a
   * re-assignment applies to the whole history), in [from, to]. Zero minutes are left out.
   */
  async clusterMinutes(project: string, clusterIds: string[], from: string, to: string): Promise<Map<string, Array<{ start: string; count: number }>>> {
    const out = new Map<string, Array<{ start: string; count: number }>>();
    if (clusterIds.length === 0) return out;
    const rows = await selectRows<{ cluster_id: string; minute: string; events: number | string }>(
      this.client,
      `SELECT m.cluster_id AS cluster_id, im.minute AS minute, sum(im.events) AS events
       FROM issue_minutes AS im
       INNER JOIN (SELECT fingerprint, cluster_id FROM cluster_membership FINAL
                   WHERE project = {project:String} AND cluster_id IN {clusters:Array(String)}) AS m ON im.fingerprint = m.fingerprint
       WHERE im.project = {project:String}
         AND im.fingerprint IN (SELECT fingerprint FROM cluster_membership FINAL WHERE project = {project:String} AND cluster_id IN {clusters:Array(String)})
         AND im.minute >= toDateTime({from:${DT}}) AND im.minute <= toDateTime({to:${DT}})
       GROUP BY cluster_id, minute ORDER BY cluster_id, minute`,
      { project, clusters: clusterIds, from: toClickHouseTime(from), to: toClickHouseTime(to) },
    );
    for (const r of rows) {
      const list = out.get(r.cluster_id) ?? [];
      list.push({ start: fromClickHouseTime(r.minute), count: Number(r.events) });
      out.set(r.cluster_id, list);
    }
    return out;
  }

  /** Clusters that have a signal of `kind` at or after `since`. */
  async clustersWithSignal(project: string, kind: SignalKind, since: string): Promise<Set<string>> {
    const rows = await selectRows<{ cluster_id: string }>(
      this.client,
      `SELECT DISTINCT cluster_id FROM signals WHERE project = {project:String} AND kind = {kind:String} AND at >= {since:${DT}}`,
      { project, kind, since: toClickHouseTime(since) },
    );
    return new Set(rows.map((r) => r.cluster_id));
  }

  /**
   * Issues whose current status is resolved or resolved in a release, and that had events after the status
   * changed (and at or before `until`): the regression candidates. Only issues with such events are returned.
   */
  async resolvedIssueActivity(project: string, until: string): Promise<ResolvedIssueActivity[]> {
    const rows = await selectRows<{
      fingerprint: string; status: 'resolved' | 'resolved_in_release'; resolved_in_release: string; changed_at: string;
      cluster_id: string; release: string; first_at: string; events: number | string;
    }>(
      this.client,
      `WITH resolved AS (
         SELECT fingerprint, status, resolved_in_release, changed_at FROM issue_status FINAL
         WHERE project = {project:String} AND status IN ('resolved', 'resolved_in_release'))
       SELECT e.fingerprint AS fingerprint, any(s.status) AS status, any(s.resolved_in_release) AS resolved_in_release,
              any(s.changed_at) AS changed_at, any(m.cluster_id) AS cluster_id,
              e.release AS release, min(e.timestamp) AS first_at, count() AS events
       FROM crash_events AS e
       INNER JOIN resolved AS s ON e.fingerprint = s.fingerprint
       LEFT JOIN (SELECT fingerprint, cluster_id FROM cluster_membership FINAL WHERE project = {project:String}) AS m ON e.fingerprint = m.fingerprint
       WHERE e.project = {project:String}
         AND e.fingerprint IN (SELECT fingerprint FROM resolved)
         AND e.timestamp > (SELECT min(changed_at) FROM resolved)
         AND e.timestamp > s.changed_at AND e.timestamp <= {until:${DT}}
       GROUP BY e.fingerprint, e.release
       ORDER BY fingerprint, first_at, release`,
      { project, until: toClickHouseTime(until) },
    );
    const byIssue = new Map<string, ResolvedIssueActivity>();
    for (const r of rows) {
      let issue = byIssue.get(r.fingerprint);
      if (!issue) {
        issue = {
          fingerprint: r.fingerprint,
          clusterId: r.cluster_id || null,
          status: r.status,
          resolvedInRelease: r.resolved_in_release || null,
          changedAt: fromClickHouseTime(r.changed_at),
          releases: [],
        };
        byIssue.set(r.fingerprint, issue);
      }
      issue.releases.push({ release: r.release, firstAt: fromClickHouseTime(r.first_at), events: Number(r.events) });
    }
    return [...byIssue.values()];
  }

  /** Signals of the given kinds recorded since `since` and never marked published: what a crashed tick left behind. */
  async unpublishedSignals(kinds: SignalKind[], since: string): Promise<Signal[]> {
    const rows = await selectRows<SignalRow>(
      this.client,
      `SELECT id, kind, project, fingerprint, cluster_id, at, release, deploy_id, details FROM signals FINAL
       WHERE kind IN {kinds:Array(String)} AND at >= {since:${DT}} AND published = 0 ORDER BY at, id`,
      { kinds, since: toClickHouseTime(since) },
    );
    return rows.map(toSignal);
  }

}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
