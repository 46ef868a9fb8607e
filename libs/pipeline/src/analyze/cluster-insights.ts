import type { ClickHouseClient } from '@clickhouse/client';
import { ApiQueries, ClusterQueries, EventsRepository, type ClusterSummaryRow, type IssueSummaryRow, type ReleaseCountRow } from '@faultline/clickhouse';
import { priorityOf, type Category, type Priority } from '@faultline/clustering';
import { detectSpike, attributeToDeploy, compareReleases, newInRelease, type Bucket, type SpikeDecision } from '@faultline/detection';
import type { EvidenceInput } from '@faultline/analysis';
import type { Deploy } from '@faultline/schema';

export type DeployWithId = Deploy & { id: string };

export interface SpikeFinding {
  onset: string;
  observed: number;
  expected: number;
  pValue: number;
  deploy: { deployId: string; release: string; minutesAfter: number } | null;
}

export interface RegressionFinding {
  /** The release where the cluster came back. */
  release: string;
  /** The release(s) it was absent from, after which it returned. */
  absentIn: string[];
  firstSeenAgain: string;
}

export interface ClusterInsight {
  summary: ClusterSummaryRow;
  issues: IssueSummaryRow[];
  title: string;
  category: Category;
  priority: Priority;
  /** Weakest link: the lowest confidence of any issue's assignment to this cluster. */
  confidence: number;
  spike: SpikeFinding | null;
  regression: RegressionFinding | null;
  newInRelease: string | null;
  /** Events per release, oldest release first. */
  releases: ReleaseCountRow[];
}

const MINUTE_MS = 60_000;

/**
 * What is known about each cluster of a project, from ClickHouse: stats, priority, spikes,
 * regressions across releases, and the evidence input an analyzer needs. Shared by the CLI
 * and the analyzer service.
 */
export class ClusterInsights {
  private readonly clusters: ClusterQueries;
  private readonly reads: ApiQueries;
  private readonly events: EventsRepository;

  constructor(client: ClickHouseClient, private readonly deployWindowMinutes = 30) {
    this.clusters = new ClusterQueries(client);
    this.reads = new ApiQueries(client);
    this.events = new EventsRepository(client);
  }

  /**
   * Every cluster of the project (or only `clusterIds`), highest impact first. Each kind of read
   * is one query for all the clusters, grouped by cluster in ClickHouse.
   */
  async insights(project: string, deploys: DeployWithId[], clusterIds?: string[]): Promise<ClusterInsight[]> {
    const filter = { clusterIds };
    const [summaries, issues] = await Promise.all([this.clusters.clusters(project, filter), this.clusters.issues(project, filter)]);
    if (summaries.length === 0) return [];
    const [contexts, timelines, releases] = await Promise.all([
      this.clusters.contexts(project, summaries),
      this.clusters.timelines(project, summaries),
      this.clusters.releases(project, summaries),
    ]);
    const issuesByCluster = new Map<string, IssueSummaryRow[]>();
    for (const issue of issues) issuesByCluster.set(issue.clusterId, [...(issuesByCluster.get(issue.clusterId) ?? []), issue]);
    const deployTimes = Object.fromEntries(deploys.map((d) => [d.release, d.deployedAt]));
    const out: ClusterInsight[] = [];
    for (const summary of summaries) {
      const members = issuesByCluster.get(summary.clusterId) ?? [];
      // The founding issue names the cluster (its id derives from that issue's fingerprint).
      const founder = members.find((i) => summary.clusterId === `cl_${i.fingerprint.slice(0, 24)}`) ?? members[0];
      const category = (founder?.category ?? 'unknown') as Category;
      const windowHours = Math.max(1, (Date.parse(summary.lastSeen) - Date.parse(summary.firstSeen)) / 3_600_000);
      const { tags, transactions } = contexts.get(summary.clusterId) ?? { tags: [], transactions: [] };
      const priority = priorityOf({ affectedUsers: summary.affectedUsers, events: summary.events, windowHours, category, tags, transactions });
      const joined = members.filter((i) => i.fingerprint !== founder?.fingerprint);
      const confidence = joined.length === 0 ? (founder?.confidence ?? 1) : Math.min(...joined.map((i) => i.confidence));
      const timeline = timelines.get(summary.clusterId) ?? [];
      const clusterReleases = releases.get(summary.clusterId) ?? [];
      out.push({
        summary,
        issues: members,
        title: founder?.title ?? summary.clusterId,
        category,
        priority,
        confidence: round(confidence),
        spike: this.firstSpike(timeline.map((p) => ({ start: p.minute, count: p.events })), deploys),
        regression: regressionOf(clusterReleases, deploys, deployTimes),
        newInRelease: newInRelease(summary.firstSeen, deploys),
        releases: clusterReleases,
      });
    }
    return out.sort((a, b) => b.priority.impactScore - a.priority.impactScore || b.summary.events - a.summary.events || a.summary.clusterId.localeCompare(b.summary.clusterId));
  }

  /** The evidence an analyzer gets for one cluster: stats, timeline with a lead-in, releases, deploys, breakdowns, samples. */
  async evidenceInput(project: string, insight: ClusterInsight, deploys: DeployWithId[]): Promise<EvidenceInput> {
    const { summary } = insight;
    const founder = insight.issues[0];
    const leadIn = new Date(Date.parse(summary.firstSeen) - 60 * MINUTE_MS).toISOString();
    const [timeline, breakdownRows, samples] = await Promise.all([
      this.clusters.minuteCounts(project, summary.fingerprints, { from: leadIn }),
      this.reads.breakdowns(project, summary.fingerprints, {}, 5),
      // One sample per issue, most frequent issues first, up to five.
      this.events.newestEventOfEach(project, insight.issues.slice(0, 5).map((issue) => issue.fingerprint)),
    ]);
    const breakdowns: Record<string, Array<{ value: string; count: number }>> = {};
    for (const row of breakdownRows) {
      // An empty value means the events did not say (no browser on a backend event): not a breakdown.
      if (row.value !== '') (breakdowns[row.dimension] ??= []).push({ value: row.value, count: row.events });
    }
    return {
      cluster: {
        clusterId: summary.clusterId,
        project,
        title: insight.title,
        errorType: founder?.errorType ?? '',
        canonicalKind: founder?.canonicalKind ?? '',
        messageTemplate: founder?.messageTemplate ?? '',
        count: summary.events,
        users: summary.affectedUsers,
        firstSeen: summary.firstSeen,
        lastSeen: summary.lastSeen,
        timeline: withZeros(timeline.map((p) => ({ at: p.minute, count: p.events })), leadIn, summary.lastSeen),
      },
      releases: insight.releases.map((r) => ({ release: r.release, firstSeen: r.firstSeen, lastSeen: r.lastSeen, count: r.events })),
      deploys,
      breakdowns,
      events: samples,
    };
  }

  /** Walks the timeline bucket by bucket as the detector does and reports the first spike. */
  private firstSpike(buckets: Bucket[], deploys: DeployWithId[]): SpikeFinding | null {
    if (buckets.length === 0) return null;
    const counts = new Map(buckets.map((b) => [Date.parse(b.start), b.count]));
    const start = Date.parse(buckets[0].start);
    const end = Date.parse(buckets.at(-1)!.start);
    const history: Bucket[] = [];
    for (let at = start; at <= end; at += MINUTE_MS) {
      const recent = [at - 2 * MINUTE_MS, at - MINUTE_MS, at].map((ms) => ({ start: new Date(ms).toISOString(), count: counts.get(ms) ?? 0 }));
      const decision: SpikeDecision = detectSpike(history, recent);
      if (decision.isSpike && decision.onset) {
        return {
          onset: decision.onset,
          observed: decision.observed,
          expected: round(decision.expected),
          pValue: decision.pValue,
          deploy: attributeToDeploy(decision.onset, deploys, this.deployWindowMinutes),
        };
      }
      const leaving = at - 2 * MINUTE_MS;
      history.push({ start: new Date(leaving).toISOString(), count: counts.get(leaving) ?? 0 });
    }
    return null;
  }
}

/**
 * A cluster seen in an older release, absent from a later deployed release, then back in a newer
 * one: fixed, then regressed. Releases are ordered by semver, else by deploy time.
 */
function regressionOf(
  seen: Array<{ release: string; firstSeen: string }>,
  deploys: DeployWithId[],
  deployTimes: Record<string, string>,
): RegressionFinding | null {
  const present = new Map(seen.filter((s) => s.release !== '').map((s) => [s.release, s.firstSeen]));
  const releases = [...new Set([...present.keys(), ...deploys.map((d) => d.release)])].sort((a, b) => compareReleases(a, b, deployTimes));
  let seenBefore = false;
  const absent: string[] = [];
  for (const release of releases) {
    if (present.has(release)) {
      if (seenBefore && absent.length > 0) return { release, absentIn: absent, firstSeenAgain: present.get(release)! };
      seenBefore = true;
      absent.length = 0;
    } else if (seenBefore && deploys.some((d) => d.release === release)) absent.push(release);
  }
  return null;
}

function withZeros(points: Array<{ at: string; count: number }>, from: string, to: string): Array<{ at: string; count: number }> {
  const counts = new Map(points.map((p) => [Date.parse(p.at), p.count]));
  const start = Math.floor(Date.parse(from) / MINUTE_MS) * MINUTE_MS;
  const end = Math.floor(Date.parse(to) / MINUTE_MS) * MINUTE_MS;
  // Long spans are left sparse: the analysis re-buckets them anyway.
  if ((end - start) / MINUTE_MS > 10_000) return points;
  const out = [];
  for (let ms = start; ms <= end; ms += MINUTE_MS) out.push({ at: new Date(ms).toISOString(), count: counts.get(ms) ?? 0 });
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
