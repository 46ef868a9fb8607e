import { deployMarkerId, type AlertDeliveryRow, type DeployRecord, type EventSummaryRow } from '@faultline/clickhouse';
import type { Deploy } from '@faultline/schema';
import type { z } from 'zod';
import type * as c from './contracts';
import { ApiError } from './errors';
import { decodeTimeCursor, pageOf } from './pagination';
import type { ApiStore, Publisher } from './store';

/** Webhook URLs carry their secret in the path (Slack) or query: only the origin is shown. */
export function redactTarget(target: string): string {
  try {
    const url = new URL(target);
    return url.pathname === '/' && url.search === '' ? url.origin : `${url.origin}/…`;
  } catch {
    return target.length > 24 ? `${target.slice(0, 24)}…` : target;
  }
}

function eventSummary(r: EventSummaryRow): c.EventSummary {
  return {
    id: r.eventId,
    fingerprint: r.fingerprint,
    timestamp: r.timestamp,
    platform: r.platform,
    release: r.release || null,
    environment: r.environment || null,
    severity: r.severity,
    errorType: r.errorType,
    message: r.message,
    userId: r.userId || null,
    transaction: r.transaction || null,
    payloadKept: r.payloadKept,
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

const sameDeploy = (a: DeployRecord, b: DeployRecord) =>
  a.commitSha === b.commitSha && a.previousSha === b.previousSha && JSON.stringify(a.changedFiles) === JSON.stringify(b.changedFiles);

/** Events, deploy markers and alerts of a project. */
export class ActivityService {
  constructor(
    private readonly store: ApiStore,
    private readonly publisher: Publisher,
  ) {}

  async listEvents(project: string, query: { fingerprint?: string; from?: string; to?: string; limit: number; cursor?: string }, requestUrl: string) {
    const after = decodeTimeCursor(query.cursor, 'events');
    const rows = await this.store.queries.listEvents(project, { ...query, limit: query.limit + 1, after });
    return pageOf(rows.map(eventSummary), query.limit, 'events', (e) => ({ key: e.timestamp, id: e.id }), requestUrl);
  }

  async getEvent(project: string, eventId: string): Promise<c.EventView> {
    const payload = await this.store.events.getPayload(project, eventId);
    if (payload) return { ...payload, payloadKept: true };
    const [row] = await this.store.queries.listEvents(project, { eventId, limit: 1 });
    if (!row) throw new ApiError('event_not_found', `no event ${eventId} in project ${project}`);
    return { ...eventSummary(row), payloadKept: false, crashFrame: row.crashFrame };
  }

  /**
   * Stores the marker once and publishes it on the deploys topic. A repeated report (same
   * project, environment, release and time) is answered 200 and published again: publishing is
   * at-least-once, so a retry after a broker failure still reaches the detector. The same id with
   * different commits is a 409.
   */
  async recordDeploy(project: string, body: z.infer<typeof c.DeployBody>): Promise<{ status: 200 | 201; body: z.infer<typeof c.DeployResult> }> {
    if (body.project !== undefined && body.project !== project) {
      throw new ApiError('validation_failed', `body project ${body.project} differs from the path's ${project}`, [{ in: 'body', path: 'project', message: 'differs from the path' }]);
    }
    const deployedAt = new Date(body.deployedAt).toISOString();
    const record: DeployRecord = {
      // The detector derives the same id from the deploys topic, so the marker is one row whoever writes it.
      id: deployMarkerId(project, body.environment, body.release, deployedAt),
      project,
      environment: body.environment,
      release: body.release,
      commitSha: body.commitSha,
      previousSha: body.previousSha,
      deployedAt,
      changedFiles: body.changedFiles,
    };
    const existing = await this.store.queries.findDeploy(project, record.id);
    if (existing && !sameDeploy(existing, record)) {
      throw new ApiError('deploy_conflict', `deploy ${record.id} (${record.release} to ${record.environment} at ${deployedAt}) was recorded with other commits`, {
        id: record.id,
        recorded: { commitSha: existing.commitSha, previousSha: existing.previousSha, changedFiles: existing.changedFiles },
      });
    }
    if (!existing) await this.store.queries.insertDeploy(record);
    const message: Deploy = {
      project,
      release: record.release,
      environment: record.environment,
      commitSha: record.commitSha,
      previousSha: record.previousSha,
      deployedAt,
      changedFiles: record.changedFiles,
    };
    await this.publisher.publish('deploys', [message]);
    return { status: existing ? 200 : 201, body: { ...(existing ?? record), created: !existing } };
  }

  async listDeploys(project: string, query: { environment?: string; from?: string; to?: string; limit: number; cursor?: string }, requestUrl: string) {
    const after = decodeTimeCursor(query.cursor, 'deploys');
    const rows = await this.store.queries.listDeploys(project, { ...query, limit: query.limit + 1, after });
    return pageOf(rows, query.limit, 'deploys', (d) => ({ key: d.deployedAt, id: d.id }), requestUrl);
  }

  async listAlerts(project: string, query: { clusterId?: string; from?: string; to?: string; limit: number; cursor?: string }, requestUrl: string) {
    const after = decodeTimeCursor(query.cursor, 'alerts');
    const rows = await this.store.queries.listAlerts(project, { ...query, limit: query.limit + 1, after });
    const alerts: c.AlertView[] = [];
    const byId = new Map<string, c.AlertView>();
    for (const row of rows) {
      let alert = byId.get(row.alertId);
      if (!alert) {
        alert = { id: row.alertId, clusterId: row.clusterId, trigger: row.trigger, createdAt: row.createdAt, payload: parseJson(row.payload), deliveries: [] };
        byId.set(row.alertId, alert);
        alerts.push(alert);
      }
      if (row.createdAt < alert.createdAt) alert.createdAt = row.createdAt;
      alert.deliveries.push(delivery(row));
    }
    return pageOf(alerts, query.limit, 'alerts', (a) => ({ key: a.createdAt, id: a.id }), requestUrl);
  }
}

function delivery(row: AlertDeliveryRow): c.AlertView['deliveries'][number] {
  return { target: redactTarget(row.target), status: row.status, attempts: row.attempts, lastError: row.lastError || null, updatedAt: row.updatedAt };
}
