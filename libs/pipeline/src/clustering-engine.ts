import type { ClickHouseClient } from '@clickhouse/client';
import { EventsRepository, IssuesRepository, SignalsRepository, type IssueRow, type MembershipRow } from '@faultline/clickhouse';
import {
  assignIssue,
  categorize,
  type ClusterAssignment,
  clusterTitle,
  signatureOf,
  type ClusterCandidate,
  type IssueSignature,
} from '@faultline/clustering';
import { byTimeThenId, describeCrashSite, type CrashEvent, type Signal } from '@faultline/schema';

export interface ClusteringEngineOptions {
  /** Similarity a new issue needs to join an existing cluster (clustering's tuned default when unset). */
  threshold?: number;
  /** Member issues per cluster that a new issue is compared with. */
  membersPerCluster: number;
  /** Fingerprints remembered as settled, so a hot issue costs no lookup. */
  warmCacheSize: number;
  /** Events per issue per batch whose full payload is kept (EventsRepository's default when unset). */
  payloadSamplesPerIssue?: number;
}

export interface ClusterBatchResult {
  inserted: number;
  duplicates: number;
  newIssues: number;
  newClusters: number;
  /** Signals stored but not yet published: the caller publishes, then calls markPublished. */
  pendingSignals: Signal[];
}

const DEFAULTS: ClusteringEngineOptions = { membersPerCluster: 5, warmCacheSize: 100_000 };

export function issueNewSignalId(project: string, fingerprint: string): string {
  return `issue.new:${project}:${fingerprint}`;
}
export function clusterNewSignalId(project: string, clusterId: string): string {
  return `cluster.new:${project}:${clusterId}`;
}

/**
 * Stores events and keeps issues and clusters up to date, incrementally, batch by batch.
 * Safe under at-least-once delivery and several instances:
 *  - events are stored once (EventsRepository deduplicates);
 *  - a fingerprint's issue, membership and signals have deterministic ids;
 *  - signals go through an outbox (stored unpublished first, published by the caller, then
 *    marked), so a replay re-publishes only what never reached Kafka.
 * The normalized topic is keyed by fingerprint, so one issue's events meet on one instance.
 */
export class ClusteringEngine {
  private readonly events: EventsRepository;
  private readonly issues: IssuesRepository;
  private readonly signals: SignalsRepository;
  private readonly options: ClusteringEngineOptions;
  /** `project\0fingerprint` of issues whose creation is complete and published. */
  private readonly settled = new Map<string, true>();

  constructor(client: ClickHouseClient, options: Partial<ClusteringEngineOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.events = new EventsRepository(client, { payloadSamplesPerIssue: this.options.payloadSamplesPerIssue });
    this.issues = new IssuesRepository(client);
    this.signals = new SignalsRepository(client);
  }

  async ingest(batch: CrashEvent[]): Promise<ClusterBatchResult> {
    const stored = await this.events.insertEvents(batch);
    const result: ClusterBatchResult = { ...stored, newIssues: 0, newClusters: 0, pendingSignals: [] };

    for (const [project, events] of groupBy(batch, (e) => e.project)) {
      const firstByFingerprint = new Map<string, CrashEvent>();
      for (const event of events) {
        const first = firstByFingerprint.get(event.fingerprint);
        if (!first || byTimeThenId(event, first) < 0) firstByFingerprint.set(event.fingerprint, event);
      }
      const unsettled = [...firstByFingerprint.keys()].filter((fp) => !this.settled.has(settledKey(project, fp)));
      if (unsettled.length === 0) continue;

      const known = await this.issues.findKnown(project, unsettled);
      const batchEventIds = new Set(events.map((e) => e.id));
      const fresh: CrashEvent[] = [];
      const maybeUnpublished: string[] = [];
      for (const fingerprint of unsettled) {
        const issue = known.get(fingerprint);
        if (!issue) fresh.push(firstByFingerprint.get(fingerprint)!);
        else if (batchEventIds.has(issue.firstEventId)) {
          // This batch created the issue before (a replay): its signals may not have been published.
          maybeUnpublished.push(issueNewSignalId(project, fingerprint));
          if (issue.clusterId) maybeUnpublished.push(clusterNewSignalId(project, issue.clusterId));
        } else this.settle(project, fingerprint);
      }
      if (maybeUnpublished.length > 0) result.pendingSignals.push(...(await this.signals.unpublished(project, maybeUnpublished)));
      if (fresh.length === 0) continue;

      const created = await this.createIssues(project, fresh.sort(byTimeThenId));
      result.newIssues += created.issues;
      result.newClusters += created.clusters;
      result.pendingSignals.push(...created.signals);
    }
    return result;
  }

  /** Marks signals as delivered to the signals topic; their issues are settled from now on. */
  async markPublished(signals: Signal[]): Promise<void> {
    await this.signals.record(signals, true);
    for (const signal of signals) if (signal.fingerprint) this.settle(signal.project, signal.fingerprint);
  }

  private async createIssues(project: string, firstEvents: CrashEvent[]): Promise<{ issues: number; clusters: number; signals: Signal[] }> {
    const candidates = await this.loadCandidates(project);
    const seen = new Set(candidates.map((c) => c.clusterId));
    const opened = new Map<string, { event: CrashEvent; signature: IssueSignature }>();
    const issueRows: IssueRow[] = [];
    const memberships: MembershipRow[] = [];
    const signals: Signal[] = [];
    for (const event of firstEvents) {
      const signature = signatureOf(event);
      // Incremental: each new issue sees the clusters opened by the issues before it in this batch.
      const assignment = assignIssue(signature, candidates, { threshold: this.options.threshold });
      if (assignment.isNewCluster) {
        candidates.push({ clusterId: assignment.clusterId, members: [signature] });
        opened.set(assignment.clusterId, { event, signature });
      } else {
        const cluster = candidates.find((c) => c.clusterId === assignment.clusterId);
        if (cluster && cluster.members.length < this.options.membersPerCluster) cluster.members.push(signature);
      }
      const category = categorize({ errorType: event.errorType, canonicalKind: event.canonicalKind, message: event.message });
      const title = clusterTitle(signature, event.message);
      issueRows.push({
        project,
        fingerprint: event.fingerprint,
        title,
        platform: event.platform,
        errorType: event.errorType,
        canonicalKind: event.canonicalKind,
        category,
        messageTemplate: event.messageTemplate,
        culprit: describeCrashSite(event),
        signature: JSON.stringify(signature),
        firstEventId: event.id,
        firstSeen: event.timestamp,
      });
      memberships.push({
        project,
        fingerprint: event.fingerprint,
        clusterId: assignment.clusterId,
        version: 1,
        confidence: assignment.confidence,
        evidence: JSON.stringify(assignment.evidence),
        assignedBy: 'auto',
        assignedAt: event.timestamp,
      });
      const common = { project, at: event.timestamp, release: event.release, deployId: null };
      signals.push({
        ...common,
        id: issueNewSignalId(project, event.fingerprint),
        kind: 'issue.new',
        fingerprint: event.fingerprint,
        clusterId: assignment.clusterId,
        details: { title, category, eventId: event.id, joinedCluster: !assignment.isNewCluster, confidence: assignment.confidence },
      });
      if (assignment.isNewCluster) {
        signals.push({
          ...common,
          id: clusterNewSignalId(project, assignment.clusterId),
          kind: 'cluster.new',
          fingerprint: event.fingerprint,
          clusterId: assignment.clusterId,
          details: { title, category, eventId: event.id },
        });
      }
    }
    // Outbox first: if we stop after this, the replay recomputes the same rows and ids.
    await this.signals.record(signals, false);
    await this.issues.insertMemberships(memberships);
    await this.issues.insertIssues(issueRows);
    const moved = await this.yieldToEarlierClusters(project, opened, seen);
    return {
      issues: issueRows.length,
      clusters: opened.size - moved.size,
      signals: moved.size === 0 ? signals : await this.redirectSignals(signals, moved),
    };
  }

  /**
   * Another instance may have opened a cluster for the same root cause since our candidates were
   * loaded: each would then found its own. Our issues are stored by now, so of two clusters
   * opened at once the later one always sees the earlier (store, then load); the later one
   * yields. Each cluster we opened joins the most similar cluster founded before it that our
   * snapshot lacked, if one clears the threshold: its members get a new membership version.
   * Returns the clusters that yielded, with where they went. Narrow windows stay: an issue another
   * instance joins to a cluster between its creation and its yield stays behind, and a crash
   * between the new memberships and the rewritten signals publishes the old issue.new once.
   */
  private async yieldToEarlierClusters(
    project: string,
    opened: Map<string, { event: CrashEvent; signature: IssueSignature }>,
    seen: Set<string>,
  ): Promise<Map<string, ClusterAssignment>> {
    const moved = new Map<string, ClusterAssignment>();
    if (opened.size === 0) return moved;
    // Founding times first (no signatures): most batches find no rival and stop here.
    const founded = await this.issues.clusterFoundings(project);
    const rivalIds = [...founded.keys()].filter((id) => !seen.has(id) && !opened.has(id));
    if (rivalIds.length === 0) return moved;
    const rivals = toCandidates(await this.issues.clusterCandidates(project, this.options.membersPerCluster, rivalIds));
    const foundedBefore = (rival: string, ours: string) => {
      const [a, b] = [founded.get(rival) ?? '', founded.get(ours) ?? ''];
      return a < b || (a === b && rival < ours);
    };
    for (const [clusterId, { signature }] of opened) {
      const earlier = rivals.filter((r) => foundedBefore(r.clusterId, clusterId));
      const assignment = assignIssue(signature, earlier, { threshold: this.options.threshold });
      if (!assignment.isNewCluster) moved.set(clusterId, assignment);
    }
    if (moved.size === 0) return moved;
    const members = await this.issues.clusterMembers(project, [...moved.keys()]);
    await this.issues.insertMemberships(
      members.map((member) => {
        const target = moved.get(member.clusterId)!;
        return {
          project,
          fingerprint: member.fingerprint,
          clusterId: target.clusterId,
          version: member.version + 1,
          confidence: target.confidence,
          evidence: JSON.stringify({ ...target.evidence, yieldedFrom: member.clusterId }),
          assignedBy: 'auto',
          assignedAt: opened.get(member.clusterId)!.event.timestamp,
        };
      }),
    );
    return moved;
  }

  /**
   * The outbox after clusters yielded: their issues' issue.new name the cluster they joined, and
   * their cluster.new is kept as delivered, never published (the root cause already had one).
   */
  private async redirectSignals(signals: Signal[], moved: Map<string, ClusterAssignment>): Promise<Signal[]> {
    const pending: Signal[] = [];
    const redirected: Signal[] = [];
    const superseded: Signal[] = [];
    for (const signal of signals) {
      const target = signal.clusterId ? moved.get(signal.clusterId) : undefined;
      if (!target) pending.push(signal);
      else if (signal.kind === 'cluster.new') superseded.push({ ...signal, details: { ...signal.details, supersededBy: target.clusterId } });
      else {
        const updated = { ...signal, clusterId: target.clusterId, details: { ...signal.details, joinedCluster: true, confidence: target.confidence } };
        redirected.push(updated);
        pending.push(updated);
      }
    }
    await this.signals.record(redirected, false);
    await this.signals.record(superseded, true);
    return pending;
  }

  /** The project's clusters with a sample of member signatures (protected: tests hold instances here to race them). */
  protected async loadCandidates(project: string): Promise<ClusterCandidate[]> {
    return toCandidates(await this.issues.clusterCandidates(project, this.options.membersPerCluster));
  }

  private settle(project: string, fingerprint: string): void {
    const key = settledKey(project, fingerprint);
    this.settled.delete(key);
    this.settled.set(key, true);
    if (this.settled.size > this.options.warmCacheSize) {
      const oldest = this.settled.keys().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }
}

function toCandidates(rows: Array<{ clusterId: string; signatures: string[] }>): ClusterCandidate[] {
  return rows.map((row) => ({ clusterId: row.clusterId, members: row.signatures.map((s) => JSON.parse(s) as IssueSignature) }));
}

function settledKey(project: string, fingerprint: string): string {
  return `${project}\u0000${fingerprint}`;
}


function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
