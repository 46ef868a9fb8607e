import type { ClickHouseClient } from '@clickhouse/client';
import type { Signal } from '@faultline/schema';
import { fromClickHouseTime, toClickHouseTime } from './rows';

/** A signal as stored (the columns every signal query selects). */
export interface SignalRow {
  id: string;
  kind: Signal['kind'];
  project: string;
  fingerprint: string;
  cluster_id: string;
  at: string;
  release: string;
  deploy_id: string;
  details: string;
}

export function toSignal(row: SignalRow): Signal {
  return {
    id: row.id,
    kind: row.kind,
    project: row.project,
    fingerprint: row.fingerprint || null,
    clusterId: row.cluster_id || null,
    at: fromClickHouseTime(row.at),
    release: row.release || null,
    deployId: row.deploy_id || null,
    details: JSON.parse(row.details || '{}') as Record<string, unknown>,
  };
}

/**
 * Signals, stored by deterministic id, doubling as the outbox of the signals topic:
 * write unpublished → publish to Kafka → mark published. A replay finds them published.
 */
export class SignalsRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async record(signals: Signal[], published: boolean): Promise<void> {
    if (signals.length === 0) return;
    const version = Date.now();
    await this.client.insert({
      table: 'signals',
      format: 'JSONEachRow',
      values: signals.map((s) => ({
        id: s.id,
        kind: s.kind,
        project: s.project,
        fingerprint: s.fingerprint ?? '',
        cluster_id: s.clusterId ?? '',
        at: toClickHouseTime(s.at),
        release: s.release ?? '',
        deploy_id: s.deployId ?? '',
        details: JSON.stringify(s.details),
        published: published ? 1 : 0,
        version,
      })),
    });
  }

  /** Of the given ids, the signals stored but not yet published. */
  async unpublished(project: string, ids: string[]): Promise<Signal[]> {
    if (ids.length === 0) return [];
    const result = await this.client.query({
      query: `SELECT id, kind, project, fingerprint, cluster_id, at, release, deploy_id, details, published
              FROM signals FINAL WHERE project = {project:String} AND id IN {ids:Array(String)} AND published = 0
              ORDER BY at, id`,
      query_params: { project, ids },
      format: 'JSONEachRow',
    });
    return (await result.json<SignalRow>()).map(toSignal);
  }

  async list(filter: { project: string; kinds?: Signal['kind'][]; since?: string; limit?: number }): Promise<Signal[]> {
    const result = await this.client.query({
      query: `SELECT id, kind, project, fingerprint, cluster_id, at, release, deploy_id, details, published
              FROM signals FINAL
              WHERE project = {project:String}
                AND (length({kinds:Array(String)}) = 0 OR kind IN {kinds:Array(String)})
                AND at >= {since:DateTime64(3, 'UTC')}
              ORDER BY at, id LIMIT {limit:UInt32}`,
      query_params: {
        project: filter.project,
        kinds: filter.kinds ?? [],
        since: toClickHouseTime(filter.since ?? '1970-01-01T00:00:00.000Z'),
        limit: filter.limit ?? 10_000,
      },
      format: 'JSONEachRow',
    });
    return (await result.json<SignalRow>()).map(toSignal);
  }
}
