import type { ClickHouseClient } from '@clickhouse/client';
import { AlertsRepository, ClusterQueries, DetectionRepository, type DeployMarker } from '@faultline/clickhouse';
import { priorityOf, type Category } from '@faultline/clustering';
import type { AlertTarget } from '@faultline/config';
import { alertsOf, attributeToDeploy, planAlerts, type AlertCandidate, type AlertPlan, type AlertSendItem } from '@faultline/detection';
import type { Runtime } from '@faultline/pipeline';
import type { Signal } from '@faultline/schema';
import { alertIdOf, alertRows, alertTriggerOf, payloadFor, throttleStateOf, toCandidate, type DeliveryResult } from './alert-candidates';
import { attributableDeploys } from './detection-plan';
import type { DetectorOptions } from './options';
import { deliverWebhook, type DeliveryDeps } from './webhook';

export interface AlertPassResult {
  /** One entry per send item per target (or one without a target when none is configured). */
  deliveries: DeliveryResult[];
  plan: AlertPlan;
  /** Alert ids decided before (stored in the alerts table, or earlier in this process): not alerted again. */
  duplicates: string[];
  /** Signals that are not alerts (an issue joining an existing cluster). */
  ignored: number;
}

/** Alert ids this process decided recently: saves the lookup for replays; the alerts table stays the authority. */
const SEEN_CACHE_SIZE = 10_000;

type AlertRuntime = Pick<Runtime, 'metrics' | 'logger'>;

/**
 * Signals in, alerts out: candidates from cluster.new / spike / regression signals, with title and impact
 * from ClickHouse; deduplicated by alert id against the alerts table; throttled per project|cluster|trigger
 * by the cooldown (state = the alerts table); digested when many clusters open at once; sent to every
 * webhook with retries; every outcome stored per target.
 *
 * Passes run one at a time per process. Across instances, the signals topic is keyed by project:cluster,
 * and the throttle key is project|cluster|trigger, so all signals that could collide (replays, the same
 * spike found by two detectors) reach the one consumer owning that partition, in order: the later one
 * finds the earlier one's row. Delivery is at least once (a crash between sending and storing resends
 * the same alert id, which receivers can use to drop the repeat).
 */
export class AlertService {
  private readonly alerts: AlertsRepository;
  private readonly detection: DetectionRepository;
  private readonly clusters: ClusterQueries;
  private readonly seen = new Map<string, true>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    client: ClickHouseClient,
    private readonly runtime: AlertRuntime,
    private readonly options: DetectorOptions,
    private readonly deps: DeliveryDeps = {},
  ) {
    this.alerts = new AlertsRepository(client);
    this.detection = new DetectionRepository(client);
    this.clusters = new ClusterQueries(client);
  }

  handle(signals: Signal[], now: Date | string = new Date()): Promise<AlertPassResult> {
    const at = new Date(now).toISOString();
    const pass = this.queue.then(() => this.pass(signals, at));
    this.queue = pass.catch(() => undefined);
    return pass;
  }

  private async pass(signals: Signal[], at: string): Promise<AlertPassResult> {
    let ignored = 0;
    const duplicates: string[] = [];
    const fresh = new Map<string, { signal: Signal; trigger: NonNullable<ReturnType<typeof alertTriggerOf>> }>();
    for (const signal of signals) {
      const trigger = alertTriggerOf(signal);
      if (trigger === null || (signal.clusterId ?? signal.fingerprint) === null) {
        ignored += 1;
        continue;
      }
      const id = alertIdOf(signal);
      if (fresh.has(id) || this.seen.has(id)) duplicates.push(id);
      else fresh.set(id, { signal, trigger });
    }

    const candidates: AlertCandidate[] = [];
    const byProject = new Map<string, Array<{ signal: Signal; trigger: NonNullable<ReturnType<typeof alertTriggerOf>> }>>();
    for (const entry of fresh.values()) byProject.set(entry.signal.project, [...(byProject.get(entry.signal.project) ?? []), entry]);
    for (const [project, entries] of byProject) {
      const known = await this.alerts.known(project, entries.map((e) => alertIdOf(e.signal)));
      const todo = entries.filter((e) => {
        const id = alertIdOf(e.signal);
        if (!known.has(id)) return true;
        duplicates.push(id);
        this.remember(id);
        return false;
      });
      if (todo.length > 0) candidates.push(...(await this.candidates(project, todo)));
    }
    if (duplicates.length > 0) this.runtime.metrics.events.inc({ stage: 'detector.alerts', outcome: 'ignored', reason: 'duplicate' }, duplicates.length);

    const projects = [...new Set(candidates.map((c) => c.project))];
    const since = new Date(Date.parse(at) - this.options.cooldownMinutes * 60_000).toISOString();
    const state = throttleStateOf(await this.alerts.lastAlerted(projects, since));
    const plan = planAlerts(candidates, state, { cooldownMinutes: this.options.cooldownMinutes, digestThreshold: this.options.digestThreshold, now: at });
    const deliveries = await this.deliverAll(plan.send);

    const rows = alertRows(deliveries, plan, this.options.webhooks, at);
    await this.alerts.record(rows);
    const kindOf = new Map(this.options.webhooks.map((t) => [t.url, t.kind]));
    for (const row of rows) {
      this.runtime.metrics.alerts.inc({ trigger: row.trigger, target: kindOf.get(row.target) ?? 'none', outcome: row.status });
      this.remember(row.id);
    }
    for (const d of deliveries) {
      const fields = { ids: alertsOf(d.item).map((a) => a.signalId), target: d.target?.kind ?? 'none', attempts: d.outcome.attempts };
      if (d.outcome.status === 'failed') this.runtime.logger.warn('alert delivery failed', { ...fields, error: d.outcome.error });
      else this.runtime.logger.info(`alert ${d.outcome.status}`, fields);
    }
    return { deliveries, plan, duplicates, ignored };
  }

  private async candidates(project: string, entries: Array<{ signal: Signal; trigger: NonNullable<ReturnType<typeof alertTriggerOf>> }>): Promise<AlertCandidate[]> {
    const clusterIds = [...new Set(entries.map((e) => e.signal.clusterId ?? e.signal.fingerprint ?? ''))];
    const impacts = await this.alerts.clusterImpact(project, clusterIds);
    const [deploys, contexts] = await Promise.all([
      this.detection.deploys(project),
      this.clusters.contexts(project, [...impacts].map(([clusterId, impact]) => ({ clusterId, fingerprints: impact.fingerprints }))),
    ]);
    const tiers = new Map<string, string>();
    for (const clusterId of clusterIds) {
      const impact = impacts.get(clusterId);
      if (!impact) {
        tiers.set(clusterId, 'LOW');
        continue;
      }
      const { tags, transactions } = contexts.get(clusterId) ?? { tags: [], transactions: [] };
      const windowHours = Math.max(1, (Date.parse(impact.lastSeen) - Date.parse(impact.firstSeen)) / 3_600_000);
      const priority = priorityOf({
        affectedUsers: impact.affectedUsers,
        events: impact.events,
        windowHours,
        category: (impact.category || 'unknown') as Category,
        tags,
        transactions,
      });
      tiers.set(clusterId, priority.tier);
    }
    return entries.map(({ signal, trigger }) => {
      const clusterId = signal.clusterId ?? signal.fingerprint ?? '';
      return toCandidate(signal, trigger, {
        impact: impacts.get(clusterId),
        tier: tiers.get(clusterId) ?? 'LOW',
        deploy: this.deployOf(signal, deploys),
        publicUrl: this.options.publicUrl,
      });
    });
  }

  /** The signal's own deploy when it names one, else the deploy it follows within the attribution window. */
  private deployOf(signal: Signal, deploys: DeployMarker[]): { id: string; release: string } | null {
    if (signal.deployId) {
      const named = deploys.find((d) => d.id === signal.deployId);
      return { id: signal.deployId, release: named?.release ?? signal.release ?? '' };
    }
    const attributed = attributeToDeploy(signal.at, attributableDeploys(deploys, []), this.options.deployWindowMinutes);
    return attributed ? { id: attributed.deployId, release: attributed.release } : null;
  }

  /** Every send item to every target, a bounded number at a time. With no target configured, items are stored as suppressed. */
  private async deliverAll(items: AlertSendItem[]): Promise<DeliveryResult[]> {
    const targets = this.options.webhooks;
    if (targets.length === 0) {
      return items.map((item) => ({
        item,
        target: null,
        payload: JSON.stringify(payloadFor(item, 'generic').body),
        outcome: { status: 'suppressed', attempts: 0, error: 'no webhook configured (ALERT_WEBHOOKS)' },
      }));
    }
    const jobs: Array<{ item: AlertSendItem; target: AlertTarget }> = items.flatMap((item) => targets.map((target) => ({ item, target })));
    const results: DeliveryResult[] = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        const { item, target } = jobs[i];
        const payload = payloadFor(item, target.kind);
        const outcome = await deliverWebhook(target.url, payload.body, payload.id, this.options.delivery, this.deps);
        results[i] = {
          item,
          target,
          payload: JSON.stringify(payload.body),
          outcome: outcome.kind === 'sent' ? { status: 'sent', attempts: outcome.attempts, error: '' } : { status: 'failed', attempts: outcome.attempts, error: outcome.error },
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs.length, Math.max(1, this.options.delivery.concurrency)) }, worker));
    return results;
  }

  private remember(id: string): void {
    this.seen.delete(id);
    this.seen.set(id, true);
    if (this.seen.size > SEEN_CACHE_SIZE) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
