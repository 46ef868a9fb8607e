import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { CrashEvent } from '@faultline/schema';
import { toCrashEventRow } from './rows';

export interface InsertEventsResult {
  inserted: number;
  duplicates: number;
}

/**
 * Stores normalized events exactly once. Delivery is at least once, so a replayed event is
 * recognised by (project, fingerprint, event id) and skipped before the insert; an insert
 * retried as-is carries the same deduplication token. Either way the materialized views
 * (issue counts, per-minute rates) count each event once.
 */
export class EventsRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async insertEvents(events: CrashEvent[]): Promise<InsertEventsResult> {
    const unique = new Map<string, CrashEvent>();
    for (const event of events) unique.set(`${event.project}\u0000${event.id}`, event);
    const fresh = await this.withoutStored([...unique.values()]);
    if (fresh.length > 0) {
      const token = createHash('sha256');
      for (const event of fresh) token.update(event.project).update('\u0000').update(event.id).update('\u0001');
      await this.client.insert({
        table: 'crash_events',
        values: fresh.map(toCrashEventRow),
        format: 'JSONEachRow',
        clickhouse_settings: {
          insert_deduplication_token: token.digest('hex'),
          deduplicate_blocks_in_dependent_materialized_views: 1,
          // One insert makes one part per day partition: a batch spanning many days must not fail.
          max_partitions_per_insert_block: '1000',
        },
      });
    }
    return { inserted: fresh.length, duplicates: events.length - fresh.length };
  }

  private async withoutStored(events: CrashEvent[]): Promise<CrashEvent[]> {
    if (events.length === 0) return [];
    const byProject = new Map<string, CrashEvent[]>();
    for (const event of events) byProject.set(event.project, [...(byProject.get(event.project) ?? []), event]);
    const stored = new Set<string>();
    for (const [project, list] of byProject) {
      const result = await this.client.query({
        query: `SELECT DISTINCT event_id FROM crash_events
                WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)} AND event_id IN {ids:Array(String)}`,
        query_params: { project, fingerprints: [...new Set(list.map((e) => e.fingerprint))], ids: list.map((e) => e.id) },
        format: 'JSONEachRow',
      });
      for (const row of await result.json<{ event_id: string }>()) stored.add(`${project}\u0000${row.event_id}`);
    }
    return events.filter((e) => !stored.has(`${e.project}\u0000${e.id}`));
  }

  async countEvents(project: string): Promise<number> {
    const result = await this.client.query({
      query: 'SELECT count() AS n FROM crash_events WHERE project = {project:String}',
      query_params: { project },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }

  async getEvent(project: string, eventId: string): Promise<CrashEvent | null> {
    const result = await this.client.query({
      query: 'SELECT event_json FROM crash_events WHERE project = {project:String} AND event_id = {id:String} LIMIT 1',
      query_params: { project, id: eventId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ event_json: string }>();
    return row ? (JSON.parse(row.event_json) as CrashEvent) : null;
  }

  async eventsOfIssues(project: string, fingerprints: string[], limit: number): Promise<CrashEvent[]> {
    const result = await this.client.query({
      query: `SELECT event_json FROM crash_events
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
              ORDER BY timestamp DESC LIMIT {limit:UInt32}`,
      query_params: { project, fingerprints, limit },
      format: 'JSONEachRow',
    });
    return (await result.json<{ event_json: string }>()).map((r) => JSON.parse(r.event_json) as CrashEvent);
  }
}
