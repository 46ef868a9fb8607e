import type { ClickHouseClient } from '@clickhouse/client';
import {
  DetectionRepository,
  IssuesRepository,
  SignalsRepository,
  deployMarkerId,
  inferredDeployId,
  type DeployMarker,
} from '@faultline/clickhouse';
import { DEFAULT_SPIKE_OPTIONS, attributeToDeploy, detectSpike } from '@faultline/detection';
import type { Runtime } from '@faultline/pipeline';
import type { Deploy, Signal } from '@faultline/schema';
import {
  MINUTE_MS,
  attributableDeploys,
  deployTimesOf,
  findRegression,
  floorMinute,
  regressionSignalId,
  spikeSignalId,
  spikeWindows,
} from './detection-plan';
import type { DetectorOptions } from './options';

/** A cluster is scanned for spikes while it had events this recently ("active"). Covers the 3 tested minutes. */
const ACTIVE_MINUTES = 5;
/**
 * One spike signal per cluster per episode: while a spike lasts, every tick would find it again with a
 * later onset (and a new id). Later onsets within this window are the same episode.
 */
const SPIKE_EPISODE_MINUTES = 30;
/** How far back the outbox sweep looks for detector signals a crashed tick recorded but never published. */
const OUTBOX_SWEEP_HOURS = 24;

export interface TickResult {
  at: string;
  /** Inferred deploy markers written this tick (releases seen in events that nobody reported). */
  inferredDeploys: DeployMarker[];
  /** Spike and regression signals found this tick, recorded and published. */
  signals: Signal[];
  /** Signals an earlier, interrupted tick recorded but had not published: published now. */
  republished: Signal[];
  /** Issues set back to unresolved. */
  reopened: Array<{ project: string; fingerprint: string; release: string | null }>;
  clustersScanned: number;
}

type DetectorRuntime = Pick<Runtime, 'producer' | 'metrics' | 'logger'>;

/**
 * The detector's periodic work, one tick at a time, with all state in ClickHouse:
 *  1. publish what an interrupted tick left in the outbox;
 *  2. infer deploy markers for releases seen in events that nobody reported;
 *  3. per project: spikes of active clusters (attributed to a deploy), regressions of resolved issues
 *     (which are set back to unresolved);
 *  4. signals go out through the outbox: recorded unpublished → produced to `signals` → marked published.
 * Signal ids are deterministic (`spike:<project>:<cluster>:<onset minute>`, `regression:<project>:<fp>:<release>`),
 * so two instances, or a restarted one, that find the same thing write the same row and publish the same id;
 * the alert pass drops ids it has alerted before.
 */
export class DetectorService {
  private readonly repo: DetectionRepository;
  private readonly signals: SignalsRepository;
  private readonly issues: IssuesRepository;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    client: ClickHouseClient,
    private readonly runtime: DetectorRuntime,
    private readonly options: DetectorOptions,
  ) {
    this.repo = new DetectionRepository(client);
    this.signals = new SignalsRepository(client);
    this.issues = new IssuesRepository(client);
  }

  /** One tick at `now` (ticks never overlap within a process). Tests pass `now` to be deterministic. */
  runOnce(now: Date | string = new Date()): Promise<TickResult> {
    const at = new Date(now).toISOString();
    const tick = this.queue.then(() => this.tick(at));
    this.queue = tick.catch(() => undefined);
    return tick;
  }

  /** Deploy markers from the deploys topic, stored once under the same id the API gives them. */
  async recordDeploys(deploys: Deploy[]): Promise<DeployMarker[]> {
    return this.repo.insertDeploys(
      deploys.map((d) => ({
        id: deployMarkerId(d.project, d.environment, d.release, d.deployedAt),
        project: d.project,
        environment: d.environment,
        release: d.release,
        commitSha: d.commitSha,
        previousSha: d.previousSha,
        deployedAt: new Date(d.deployedAt).toISOString(),
        changedFiles: d.changedFiles,
        inferred: false,
      })),
    );
  }

  private async tick(at: string): Promise<TickResult> {
    const nowMs = Date.parse(at);
    const republished = await this.sweepOutbox(nowMs);
    const inferredDeploys = await this.inferDeploys();
    const result: TickResult = { at, inferredDeploys, signals: [], republished, reopened: [], clustersScanned: 0 };
    for (const project of await this.repo.projects()) {
      const deploys = await this.repo.deploys(project);
      const spikes = await this.spikes(project, nowMs, deploys, result);
      await this.publish(spikes);
      result.signals.push(...spikes);
      const regressions = await this.regressions(project, at, deploys, result);
      result.signals.push(...regressions);
    }
    return result;
  }

  private async sweepOutbox(nowMs: number): Promise<Signal[]> {
    const pending = await this.repo.unpublishedSignals(['spike', 'regression'], new Date(nowMs - OUTBOX_SWEEP_HOURS * 3_600_000).toISOString());
    if (pending.length > 0) {
      this.runtime.logger.warn('publishing detector signals an interrupted tick left behind', { count: pending.length });
      await this.produce(pending);
    }
    return pending;
  }

  /**
   * A release seen in events with no deploy marker gets one, flagged inferred by its id
   * (`inferred:<hash of project|environment|release>`), at the release's first event.
   */
  private async inferDeploys(): Promise<DeployMarker[]> {
    const unmarked = await this.repo.unmarkedReleases();
    return this.repo.insertDeploys(
      unmarked.map((r) => ({
        id: inferredDeployId(r.project, r.environment, r.release),
        project: r.project,
        environment: r.environment,
        release: r.release,
        commitSha: null,
        previousSha: null,
        deployedAt: r.firstSeen,
        changedFiles: [],
        inferred: true,
      })),
    );
  }

  private async spikes(project: string, nowMs: number, deploys: DeployMarker[], result: TickResult): Promise<Signal[]> {
    const iso = (ms: number) => new Date(ms).toISOString();
    const active = await this.repo.activeClusters(project, iso(floorMinute(nowMs) - ACTIVE_MINUTES * MINUTE_MS), iso(nowMs));
    if (active.length === 0) return [];
    const ongoing = await this.repo.clustersWithSignal(project, 'spike', iso(nowMs - SPIKE_EPISODE_MINUTES * MINUTE_MS));
    const scan = active.filter((c) => !ongoing.has(c.clusterId));
    const historyFrom = floorMinute(nowMs) - DEFAULT_SPIKE_OPTIONS.historyDays * 1440 * MINUTE_MS;
    const minutes = await this.repo.clusterMinutes(project, scan.map((c) => c.clusterId), iso(historyFrom), iso(nowMs));
    result.clustersScanned += scan.length;
    const out: Signal[] = [];
    for (const cluster of scan) {
      const { history, recent } = spikeWindows(minutes.get(cluster.clusterId) ?? [], nowMs);
      const decision = detectSpike(history, recent);
      if (!decision.isSpike || decision.onset === null) continue;
      const deploy = attributeToDeploy(decision.onset, attributableDeploys(deploys, cluster.environments), this.options.deployWindowMinutes);
      out.push({
        id: spikeSignalId(project, cluster.clusterId, decision.onset),
        kind: 'spike',
        project,
        fingerprint: null,
        clusterId: cluster.clusterId,
        at: decision.onset,
        release: deploy?.release ?? null,
        deployId: deploy?.deployId ?? null,
        details: {
          observed: decision.observed,
          expected: Math.round(decision.expected * 1000) / 1000,
          pValue: decision.pValue,
          reason: decision.reason,
          minutesAfterDeploy: deploy?.minutesAfter ?? null,
          fingerprints: cluster.fingerprints,
        },
      });
    }
    return out;
  }

  /**
   * Resolved issues with events after the fix: a regression signal, and the issue back to unresolved.
   * Order, for a crash at any point: signal recorded unpublished → status reopened → published → marked.
   * A tick that dies after reopening leaves the signal in the outbox, and the next tick's sweep publishes it.
   */
  private async regressions(project: string, at: string, deploys: DeployMarker[], result: TickResult): Promise<Signal[]> {
    const activity = await this.repo.resolvedIssueActivity(project, at);
    if (activity.length === 0) return [];
    const deployTimes = deployTimesOf(deploys);
    const found: Signal[] = [];
    for (const issue of activity) {
      const regression = findRegression(issue, deployTimes);
      if (!regression) continue;
      const deploy =
        regression.release === null
          ? null
          : ([...deploys].reverse().find((d) => d.release === regression.release && !d.inferred) ??
            [...deploys].reverse().find((d) => d.release === regression.release) ??
            null);
      found.push({
        id: regressionSignalId(project, issue.fingerprint, regression.release),
        kind: 'regression',
        project,
        fingerprint: issue.fingerprint,
        clusterId: issue.clusterId,
        at: regression.firstAt,
        release: regression.release,
        deployId: deploy?.id ?? null,
        details: {
          reason: regression.reason,
          previousStatus: issue.status,
          resolvedInRelease: issue.resolvedInRelease,
          resolvedAt: issue.changedAt,
          eventsSince: regression.events,
        },
      });
    }
    if (found.length === 0) return [];
    await this.signals.record(found, false);
    for (const signal of found) {
      const issue = activity.find((i) => i.fingerprint === signal.fingerprint)!;
      // The status version is its change time: stay strictly after the resolution even if clocks disagree.
      const changedAt = new Date(Math.max(Date.parse(at), Date.parse(issue.changedAt) + 1)).toISOString();
      await this.issues.setStatus({ project, fingerprint: issue.fingerprint, status: 'unresolved', resolvedInRelease: null, changedAt, changedBy: 'detector' });
      result.reopened.push({ project, fingerprint: issue.fingerprint, release: signal.release });
    }
    await this.produce(found);
    return found;
  }

  private async publish(signals: Signal[]): Promise<void> {
    if (signals.length === 0) return;
    await this.signals.record(signals, false);
    await this.produce(signals);
  }

  private async produce(signals: Signal[]): Promise<void> {
    const producer = await this.runtime.producer();
    await producer.send('signals', signals);
    await this.signals.record(signals, true);
    for (const signal of signals) this.runtime.metrics.signals.inc({ kind: signal.kind });
  }
}
