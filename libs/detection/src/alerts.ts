// Alert planning (dedupe, cooldown, digest), delivery payloads and retry delays. Pure: the throttle state
// is loaded and saved by the caller, and the sender does the HTTP.

import { toMs } from './time';

export type AlertTrigger = 'cluster.new' | 'spike' | 'regression';

export interface AlertCandidate {
  trigger: AlertTrigger;
  project: string;
  clusterId: string;
  title: string;
  at: string;
  impact: { events: number; affectedUsers: number; tier: string };
  deploy: { id: string; release: string } | null;
  /** `analysis`: where the cluster's root-cause analysis is read (written shortly after the alert). */
  links: { cluster: string; analysis?: string };
  /** The Signal's deterministic id: a replayed signal has the same one. */
  signalId: string;
}

/** Last time an alert went out, per throttle key (`project|clusterId|trigger`, see throttleKey). */
export interface AlertThrottleState {
  lastAlertAt: Record<string, string>;
}

export type AlertSendItem = { kind: 'single'; alert: AlertCandidate } | { kind: 'digest'; project: string; alerts: AlertCandidate[] };

export interface AlertPlan {
  send: AlertSendItem[];
  suppressed: Array<{ alert: AlertCandidate; reason: 'cooldown' | 'duplicate' }>;
}

export interface AlertPlanOptions {
  /** At most one alert per (project, cluster, trigger) within this many minutes. */
  cooldownMinutes: number;
  /** This many new clusters or more in one project in one planning window go out as one digest. */
  digestThreshold: number;
  now: string;
}

export function throttleKey(alert: Pick<AlertCandidate, 'project' | 'clusterId' | 'trigger'>): string {
  return `${alert.project}|${alert.clusterId}|${alert.trigger}`;
}

function byTimeThenId(a: AlertCandidate, b: AlertCandidate): number {
  return toMs(a.at) - toMs(b.at) || (a.signalId < b.signalId ? -1 : a.signalId > b.signalId ? 1 : 0);
}

/**
 * Decides what to send for one planning window. Candidates are taken oldest first:
 * a signalId already taken is a duplicate (replays); a throttle key alerted within the cooldown, by the
 * stored state or earlier in this window, is suppressed; then, per project, when `digestThreshold` or more
 * `cluster.new` alerts remain they go out as one digest. Spikes and regressions always go out singly.
 */
export function planAlerts(candidates: AlertCandidate[], state: AlertThrottleState, options: AlertPlanOptions): AlertPlan {
  if (!(options.cooldownMinutes >= 0)) throw new RangeError(`cooldownMinutes must be ≥ 0, got ${options.cooldownMinutes}`);
  if (!(Number.isInteger(options.digestThreshold) && options.digestThreshold >= 1)) {
    throw new RangeError(`digestThreshold must be an integer ≥ 1, got ${options.digestThreshold}`);
  }
  const nowMs = toMs(options.now);
  const cooldownMs = options.cooldownMinutes * 60_000;
  const suppressed: AlertPlan['suppressed'] = [];
  const signals = new Set<string>();
  const keys = new Set<string>();
  const passed: AlertCandidate[] = [];
  for (const alert of [...candidates].sort(byTimeThenId)) {
    if (signals.has(alert.signalId)) {
      suppressed.push({ alert, reason: 'duplicate' });
      continue;
    }
    signals.add(alert.signalId);
    const key = throttleKey(alert);
    const last = state.lastAlertAt[key];
    if (keys.has(key) || (last !== undefined && nowMs - toMs(last) < cooldownMs)) {
      suppressed.push({ alert, reason: 'cooldown' });
      continue;
    }
    keys.add(key);
    passed.push(alert);
  }

  const newByProject = new Map<string, AlertCandidate[]>();
  for (const a of passed) {
    if (a.trigger === 'cluster.new') newByProject.set(a.project, [...(newByProject.get(a.project) ?? []), a]);
  }
  const send: AlertSendItem[] = [];
  const digested = new Set<string>();
  for (const a of passed) {
    const fresh = newByProject.get(a.project) ?? [];
    if (a.trigger === 'cluster.new' && fresh.length >= options.digestThreshold) {
      if (!digested.has(a.project)) {
        digested.add(a.project);
        send.push({ kind: 'digest', project: a.project, alerts: fresh });
      }
    } else {
      send.push({ kind: 'single', alert: a });
    }
  }
  return { send, suppressed };
}

/** The alerts a send item carries. */
export function alertsOf(item: AlertSendItem): AlertCandidate[] {
  switch (item.kind) {
    case 'single':
      return [item.alert];
    case 'digest':
      return item.alerts;
  }
}

/**
 * The throttle state after `plan` was delivered at `now`: every sent alert's key is stamped, and keys
 * whose cooldown has run out are dropped so the stored state stays small.
 */
export function nextThrottleState(state: AlertThrottleState, plan: AlertPlan, options: Pick<AlertPlanOptions, 'cooldownMinutes' | 'now'>): AlertThrottleState {
  const nowMs = toMs(options.now);
  const lastAlertAt: Record<string, string> = {};
  for (const [key, at] of Object.entries(state.lastAlertAt)) {
    if (nowMs - toMs(at) < options.cooldownMinutes * 60_000) lastAlertAt[key] = at;
  }
  for (const item of plan.send) for (const a of alertsOf(item)) lastAlertAt[throttleKey(a)] = options.now;
  return { lastAlertAt };
}

// ---------------------------------------------------------------------------------------------------------
// Payloads

export const WEBHOOK_SCHEMA = 'faultline.alert';
export const WEBHOOK_VERSION = 1;

export interface WebhookAlert {
  signalId: string;
  trigger: AlertTrigger;
  project: string;
  clusterId: string;
  title: string;
  at: string;
  impact: { events: number; affectedUsers: number; tier: string };
  deploy: { id: string; release: string } | null;
  /** `analysis`: where the cluster's root-cause analysis is read (written shortly after the alert). */
  links: { cluster: string; analysis?: string };
}

/** The generic webhook body: versioned, discriminated by `type`; `id` is stable across retries for receiver-side dedupe. */
export type GenericWebhookPayload =
  | { schema: typeof WEBHOOK_SCHEMA; version: typeof WEBHOOK_VERSION; type: 'alert'; id: string; alert: WebhookAlert }
  | { schema: typeof WEBHOOK_SCHEMA; version: typeof WEBHOOK_VERSION; type: 'digest'; id: string; project: string; count: number; alerts: WebhookAlert[] };

function toWebhookAlert(a: AlertCandidate): WebhookAlert {
  return {
    signalId: a.signalId,
    trigger: a.trigger,
    project: a.project,
    clusterId: a.clusterId,
    title: a.title,
    at: a.at,
    impact: { events: a.impact.events, affectedUsers: a.impact.affectedUsers, tier: a.impact.tier },
    deploy: a.deploy === null ? null : { id: a.deploy.id, release: a.deploy.release },
    links: a.links.analysis ? { cluster: a.links.cluster, analysis: a.links.analysis } : { cluster: a.links.cluster },
  };
}

/** FNV-1a, 32 bits, hex: a short deterministic id for a digest of many signals. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function toGenericWebhookPayload(item: AlertSendItem): GenericWebhookPayload {
  switch (item.kind) {
    case 'single':
      return { schema: WEBHOOK_SCHEMA, version: WEBHOOK_VERSION, type: 'alert', id: item.alert.signalId, alert: toWebhookAlert(item.alert) };
    case 'digest': {
      const ids = item.alerts.map((a) => a.signalId).sort();
      return {
        schema: WEBHOOK_SCHEMA,
        version: WEBHOOK_VERSION,
        type: 'digest',
        id: `digest:${item.project}:${fnv1a(ids.join('\n'))}`,
        project: item.project,
        count: item.alerts.length,
        alerts: item.alerts.map(toWebhookAlert),
      };
    }
  }
}

// Slack limits: header text 150 chars, section text 3000, at most 10 fields of 2000.
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;
const SLACK_DIGEST_LINES = 15;

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };
export interface SlackPayload {
  /** Fallback for notifications and clients that do not render blocks. */
  text: string;
  blocks: SlackBlock[];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`: neither part may hold `|` or `>` unescaped. */
function slackLink(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

const TRIGGER_LABEL: Record<AlertTrigger, string> = {
  'cluster.new': 'New crash cluster',
  spike: 'Crash spike',
  regression: 'Regression',
};

function impactLine(a: AlertCandidate): string {
  return `${a.impact.events} events · ${a.impact.affectedUsers} users · ${a.impact.tier}`;
}

export function toSlackPayload(item: AlertSendItem): SlackPayload {
  switch (item.kind) {
    case 'single': {
      const a = item.alert;
      const label = TRIGGER_LABEL[a.trigger];
      const deploy = a.deploy === null ? 'none' : `${escapeMrkdwn(a.deploy.release)} (${escapeMrkdwn(a.deploy.id)})`;
      return {
        text: truncate(`${label} in ${a.project}: ${a.title} (${impactLine(a)})`, SLACK_SECTION_MAX),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: truncate(`${label}: ${a.title}`, SLACK_HEADER_MAX), emoji: false } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: truncate(
                `*${slackLink(a.links.cluster, truncate(a.title, 500))}*` + (a.links.analysis ? `\n${slackLink(a.links.analysis, 'Root-cause analysis')}` : ''),
                SLACK_SECTION_MAX,
              ),
            },
            fields: [
              { type: 'mrkdwn', text: `*Project*\n${escapeMrkdwn(truncate(a.project, 200))}` },
              { type: 'mrkdwn', text: `*Impact*\n${escapeMrkdwn(impactLine(a))}` },
              { type: 'mrkdwn', text: `*Deploy*\n${truncate(deploy, 500)}` },
              { type: 'mrkdwn', text: `*At*\n${escapeMrkdwn(a.at)}` },
            ],
          },
          { type: 'context', elements: [{ type: 'mrkdwn', text: `Faultline · ${a.trigger} · cluster ${escapeMrkdwn(truncate(a.clusterId, 200))}` }] },
        ],
      };
    }
    case 'digest': {
      const shown = item.alerts.slice(0, SLACK_DIGEST_LINES);
      const lines = shown.map((a) => `• ${slackLink(a.links.cluster, truncate(a.title, 150))} — ${escapeMrkdwn(impactLine(a))}`);
      const more = item.alerts.length - shown.length;
      if (more > 0) lines.push(`…and ${more} more`);
      const headline = `${item.alerts.length} new crash clusters in ${item.project}`;
      return {
        text: truncate(headline, SLACK_SECTION_MAX),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: truncate(headline, SLACK_HEADER_MAX), emoji: false } },
          { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SLACK_SECTION_MAX) } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'Faultline · cluster.new digest' }] },
        ],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Retries

/**
 * Delays before each of `attempts` retries: exponential (base·2^i) capped at maxMs, with "equal jitter"
 * (a uniform draw in the upper half of each step), so retries spread out but never collapse to zero.
 * Every delay lies in [min(base·2^i, max)/2, min(base·2^i, max)].
 */
export function retryDelaysMs(attempts: number, baseMs: number, maxMs: number, jitter: () => number = Math.random): number[] {
  if (!(Number.isInteger(attempts) && attempts >= 0)) throw new RangeError(`attempts must be an integer ≥ 0, got ${attempts}`);
  if (!(baseMs > 0 && Number.isFinite(baseMs))) throw new RangeError(`baseMs must be > 0, got ${baseMs}`);
  if (!(maxMs >= baseMs && Number.isFinite(maxMs))) throw new RangeError(`maxMs must be ≥ baseMs, got ${maxMs}`);
  const delays: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const cap = Math.min(maxMs, baseMs * 2 ** i);
    const u = Math.min(1, Math.max(0, jitter()));
    delays.push(Math.round(cap / 2 + (u * cap) / 2));
  }
  return delays;
}
