// From signals to alert candidates, and from a plan to rows: pure, so the specs cover every case.

import type { AlertRecord, ClusterImpactRow } from '@faultline/clickhouse';
import type { AlertTarget } from '@faultline/config';
import {
  alertsOf,
  throttleKey,
  toGenericWebhookPayload,
  toSlackPayload,
  type AlertCandidate,
  type AlertPlan,
  type AlertSendItem,
  type AlertThrottleState,
  type AlertTrigger,
} from '@faultline/detection';
import { clusterNewSignalId } from '@faultline/pipeline';
import type { Signal } from '@faultline/schema';

/** What a signal alerts as, or null: an issue that joined an existing cluster is not news to a human. */
export function alertTriggerOf(signal: Signal): AlertTrigger | null {
  switch (signal.kind) {
    case 'cluster.new':
      return 'cluster.new';
    case 'issue.new':
      return signal.details['joinedCluster'] === false && signal.clusterId !== null ? 'cluster.new' : null;
    case 'spike':
      return 'spike';
    case 'regression':
      return 'regression';
  }
}

/**
 * The alert's id: the signal id, except that an issue.new which opened a cluster stands for that
 * cluster's cluster.new, so the two signals of one event make one alert.
 */
export function alertIdOf(signal: Signal): string {
  return signal.kind === 'issue.new' && signal.clusterId !== null ? clusterNewSignalId(signal.project, signal.clusterId) : signal.id;
}

export function clusterLink(publicUrl: string, project: string, clusterId: string): string {
  return `${publicUrl}/api/v1/projects/${encodeURIComponent(project)}/clusters/${encodeURIComponent(clusterId)}`;
}

export function toCandidate(
  signal: Signal,
  trigger: AlertTrigger,
  context: { impact: ClusterImpactRow | undefined; tier: string; deploy: { id: string; release: string } | null; publicUrl: string },
): AlertCandidate {
  const clusterId = signal.clusterId ?? signal.fingerprint ?? '';
  const detailTitle = typeof signal.details['title'] === 'string' ? signal.details['title'] : '';
  return {
    trigger,
    project: signal.project,
    clusterId,
    title: context.impact?.title || detailTitle || clusterId,
    at: signal.at,
    impact: { events: context.impact?.events ?? 0, affectedUsers: context.impact?.affectedUsers ?? 0, tier: context.tier },
    deploy: context.deploy,
    links: { cluster: clusterLink(context.publicUrl, signal.project, clusterId), analysis: `${clusterLink(context.publicUrl, signal.project, clusterId)}/analyses` },
    signalId: alertIdOf(signal),
  };
}

export function throttleStateOf(rows: Array<{ project: string; clusterId: string; trigger: string; at: string }>): AlertThrottleState {
  const lastAlertAt: Record<string, string> = {};
  for (const r of rows) {
    const key = throttleKey({ project: r.project, clusterId: r.clusterId, trigger: r.trigger as AlertTrigger });
    if (lastAlertAt[key] === undefined || Date.parse(r.at) > Date.parse(lastAlertAt[key])) lastAlertAt[key] = r.at;
  }
  return { lastAlertAt };
}

/** The body for one target kind. */
export function payloadFor(item: AlertSendItem, kind: AlertTarget['kind']): { id: string; body: unknown } {
  const generic = toGenericWebhookPayload(item);
  switch (kind) {
    case 'generic':
      return { id: generic.id, body: generic };
    case 'slack':
      return { id: generic.id, body: toSlackPayload(item) };
  }
}

export interface DeliveryResult {
  item: AlertSendItem;
  target: AlertTarget | null;
  payload: string;
  outcome: { status: 'sent' | 'failed' | 'suppressed'; attempts: number; error: string };
}

/**
 * The alerts rows of a pass: one per alert per target. A digest is stored as a row per member alert
 * (carrying the digest body), so each cluster's alert history and the per-signal dedupe stay exact.
 * Alerts held back by the cooldown are stored as suppressed, per target; duplicates are not stored
 * (their first row stays the record).
 */
export function alertRows(deliveries: DeliveryResult[], plan: AlertPlan, targets: AlertTarget[], createdAt: string): AlertRecord[] {
  const rows: AlertRecord[] = [];
  for (const d of deliveries) {
    for (const alert of alertsOf(d.item)) {
      rows.push({
        id: alert.signalId,
        project: alert.project,
        clusterId: alert.clusterId,
        trigger: alert.trigger,
        target: d.target?.url ?? '',
        status: d.outcome.status,
        attempts: d.outcome.attempts,
        lastError: d.outcome.error,
        payload: d.payload,
        createdAt,
      });
    }
  }
  for (const s of plan.suppressed) {
    if (s.reason === 'duplicate') continue;
    const body = JSON.stringify(toGenericWebhookPayload({ kind: 'single', alert: s.alert }));
    for (const target of targets.length > 0 ? targets : [null]) {
      rows.push({
        id: s.alert.signalId,
        project: s.alert.project,
        clusterId: s.alert.clusterId,
        trigger: s.alert.trigger,
        target: target?.url ?? '',
        status: 'suppressed',
        attempts: 0,
        lastError: s.reason,
        payload: body,
        createdAt,
      });
    }
  }
  return rows;
}
