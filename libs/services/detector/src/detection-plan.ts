// Pure helpers of the detector tick: bucket windows, deterministic signal ids, which deploys a spike may
// follow, and which release (if any) reopens a resolved issue. No I/O, so the specs pin them down.

import type { DeployMarker, ResolvedIssueActivity } from '@faultline/clickhouse';
import { compareReleases, isRegression, type Bucket, type IssueStatus } from '@faultline/detection';

export const MINUTE_MS = 60_000;

export function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** `2024-05-01T12:34Z`: a minute, compact, for ids. */
export function minuteLabel(iso: string): string {
  return new Date(floorMinute(Date.parse(iso))).toISOString().slice(0, 16) + 'Z';
}

export function spikeSignalId(project: string, clusterId: string, onset: string): string {
  return `spike:${project}:${clusterId}:${minuteLabel(onset)}`;
}

export function regressionSignalId(project: string, fingerprint: string, release: string | null): string {
  return `regression:${project}:${fingerprint}:${release ?? ''}`;
}

/**
 * Splits a cluster's minute counts into what detectSpike takes at `nowMs`: the last three minutes (the
 * current one, still filling, last; zeros filled in) and the history before them. Counts after the
 * current minute (clock skew) are ignored. History buckets pass through as they are: their starts are
 * canonical ISO already (as ClickHouse reads return them), which detectSpike compares as strings.
 */
export function spikeWindows(minutes: Bucket[], nowMs: number): { history: Bucket[]; recent: Bucket[] } {
  const current = floorMinute(nowMs);
  const firstRecent = current - 2 * MINUTE_MS;
  const counts = new Map<number, number>();
  const history: Bucket[] = [];
  for (const b of minutes) {
    const ms = Date.parse(b.start);
    if (ms < firstRecent) history.push(b);
    else if (ms <= current) counts.set(ms, (counts.get(ms) ?? 0) + b.count);
  }
  const recent = [firstRecent, current - MINUTE_MS, current].map((ms) => ({ start: new Date(ms).toISOString(), count: counts.get(ms) ?? 0 }));
  return { history, recent };
}

/**
 * The deploys a spike of a cluster may be attributed to: those in the cluster's environments (all when it
 * has none), plus markers without an environment; an inferred marker is dropped when a reported deploy of
 * the same release covers it, because the reported time is the real one.
 */
export function attributableDeploys(deploys: DeployMarker[], environments: string[]): DeployMarker[] {
  const reported = deploys.filter((d) => !d.inferred);
  const covered = (d: DeployMarker) =>
    reported.some((r) => r.release === d.release && (d.environment === '' || r.environment === d.environment));
  const envs = new Set(environments);
  return deploys.filter((d) => (!d.inferred || !covered(d)) && (envs.size === 0 || d.environment === '' || envs.has(d.environment)));
}

/** release → earliest deploy time, for ordering releases that are not versions. */
export function deployTimesOf(deploys: DeployMarker[]): Record<string, string> {
  const times: Record<string, string> = {};
  for (const d of deploys) {
    const known = times[d.release];
    if (known === undefined || Date.parse(d.deployedAt) < Date.parse(known)) times[d.release] = d.deployedAt;
  }
  return times;
}

export interface RegressionFound {
  /** null: the events carry no release (only a plain `resolved` status can regress on those). */
  release: string | null;
  firstAt: string;
  events: number;
  reason: string;
}

export function issueStatusOf(issue: Pick<ResolvedIssueActivity, 'status' | 'resolvedInRelease' | 'changedAt'>): IssueStatus {
  return issue.status === 'resolved_in_release' && issue.resolvedInRelease
    ? { kind: 'resolved_in_release', release: issue.resolvedInRelease, at: issue.changedAt }
    : { kind: 'resolved', at: issue.changedAt };
}

/**
 * Whether events after the fix reopen the issue, and in which release. Each release seen since the status
 * change is judged by its first event; of the releases that regress, the newest wins (a release-less
 * regression only when no release regresses), so the signal id is the same whichever tick sees it.
 * Events from releases older than the fix are stragglers and never reopen.
 */
export function findRegression(issue: ResolvedIssueActivity, deployTimes: Record<string, string>): RegressionFound | null {
  const status = issueStatusOf(issue);
  const regressing: RegressionFound[] = [];
  for (const r of issue.releases) {
    const release = r.release === '' ? null : r.release;
    const verdict = isRegression(status, { release, timestamp: r.firstAt }, deployTimes);
    if (verdict.regressed) regressing.push({ release, firstAt: r.firstAt, events: r.events, reason: verdict.reason });
  }
  if (regressing.length === 0) return null;
  regressing.sort((a, b) => {
    if (a.release === null || b.release === null) return a.release === null ? (b.release === null ? 0 : 1) : -1;
    return compareReleases(b.release, a.release, deployTimes) || Date.parse(a.firstAt) - Date.parse(b.firstAt);
  });
  return regressing[0];
}
