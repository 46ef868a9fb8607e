import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { byTimeThenId, type CrashEvent } from '@faultline/schema';
import { insertJsonRows } from './client';
import { DT, selectRows } from './query';
import { toClickHouseTime, toCrashEventRow, toEventSampleRow } from './rows';

export interface InsertEventsResult {
  inserted: number;
  duplicates: number;
}

export interface EventsRepositoryOptions {
  /** Full payloads kept per issue per insert batch; the other events keep their columns only. */
  payloadSamplesPerIssue: number;
}

export const DEFAULT_PAYLOAD_SAMPLES_PER_ISSUE = 5;

const DAY_MS = 86_400_000;

/**
 * Stores normalized events exactly once. Delivery is at least once, so a replayed event is
 * recognised by (project, fingerprint, event id) and skipped before the insert; an insert
 * retried as-is carries the same deduplication token. Either way the materialized views
 * (issue counts, per-minute rates) count each event once.
 *
 * Every event is a row of columns in crash_events; the full payload (frames, contexts, the
 * scrubbed original) is kept for the first few events of each issue in every batch, in
 * event_samples. Payloads go first, so a queryable event marked as kept can always be opened.
 */
export class EventsRepository {
  private readonly options: EventsRepositoryOptions;

  constructor(
    private readonly client: ClickHouseClient,
    options: Partial<EventsRepositoryOptions> = {},
  ) {
    this.options = { payloadSamplesPerIssue: options.payloadSamplesPerIssue ?? DEFAULT_PAYLOAD_SAMPLES_PER_ISSUE };
  }

  async insertEvents(events: CrashEvent[]): Promise<InsertEventsResult> {
    const unique = new Map<string, CrashEvent>();
    for (const event of events) unique.set(`${event.project}\u0000${event.id}`, event);
    const fresh = await this.withoutStored([...unique.values()]);
    if (fresh.length > 0) {
      const hash = createHash('sha256');
      for (const event of fresh) hash.update(event.project).update('\u0000').update(event.id).update('\u0001');
      const token = hash.digest('hex');
      const settings = {
        insert_deduplication_token: token,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        // One insert makes one part per day partition: a batch spanning many days must not fail.
        max_partitions_per_insert_block: 1000,
      };
      const sampled = payloadSamples(fresh, this.options.payloadSamplesPerIssue);
      await insertJsonRows(this.client, 'event_samples', fresh.filter((e) => sampled.has(e)).map(toEventSampleRow), settings);
      await insertJsonRows(this.client, 'crash_events', fresh.map((e) => toCrashEventRow(e, sampled.has(e))), settings);
    }
    return { inserted: fresh.length, duplicates: events.length - fresh.length };
  }

  /**
   * The batch's events not stored yet, in one query for all its projects. The lookup is bounded
   * to the batch's time range widened by a day each way, so the sort key prunes old data; a
   * replay carries the same timestamp, and a client re-sending an event with a drifted clock is
   * still recognised within that day. The key conditions may match a row of another project of
   * the batch; only a stored (project, id) pair of the batch counts.
   */
  private async withoutStored(events: CrashEvent[]): Promise<CrashEvent[]> {
    if (events.length === 0) return [];
    let from = events[0].timestamp;
    let to = from;
    for (const event of events) {
      if (event.timestamp < from) from = event.timestamp;
      if (event.timestamp > to) to = event.timestamp;
    }
    const stored = new Set<string>();
    const rows = await selectRows<{ project: string; event_id: string }>(
      this.client,
      `SELECT DISTINCT project, event_id FROM crash_events
       WHERE project IN {projects:Array(String)} AND fingerprint IN {fingerprints:Array(String)}
         AND timestamp BETWEEN {from:${DT}} AND {to:${DT}}
         AND event_id IN {ids:Array(String)}`,
      {
        projects: [...new Set(events.map((e) => e.project))],
        fingerprints: [...new Set(events.map((e) => e.fingerprint))],
        from: toClickHouseTime(new Date(Date.parse(from) - DAY_MS)),
        to: toClickHouseTime(new Date(Date.parse(to) + DAY_MS)),
        ids: events.map((e) => e.id),
      },
    );
    for (const row of rows) stored.add(`${row.project}\u0000${row.event_id}`);
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

  /** The event's full payload, when it was kept as a sample (ApiQueries.listEvents has every event's columns). */
  async getPayload(project: string, eventId: string): Promise<CrashEvent | null> {
    const result = await this.client.query({
      query: 'SELECT event_json FROM event_samples WHERE project = {project:String} AND event_id = {id:String} LIMIT 1',
      query_params: { project, id: eventId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ event_json: string }>();
    return row ? (JSON.parse(row.event_json) as CrashEvent) : null;
  }

  /** The newest sample events (full payloads) of the given issues. */
  async eventsOfIssues(project: string, fingerprints: string[], limit: number): Promise<CrashEvent[]> {
    const result = await this.client.query({
      query: `SELECT event_json FROM event_samples
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
              ORDER BY timestamp DESC, event_id LIMIT 1 BY event_id LIMIT {limit:UInt32}`,
      query_params: { project, fingerprints, limit },
      format: 'JSONEachRow',
    });
    return (await result.json<{ event_json: string }>()).map((r) => JSON.parse(r.event_json) as CrashEvent);
  }

  /** The newest sample event of each given issue, in the order the issues are given; an issue without samples is skipped. */
  async newestEventOfEach(project: string, fingerprints: string[]): Promise<CrashEvent[]> {
    if (fingerprints.length === 0) return [];
    const result = await this.client.query({
      query: `SELECT fingerprint, event_json FROM event_samples
              WHERE project = {project:String} AND fingerprint IN {fingerprints:Array(String)}
              ORDER BY timestamp DESC, event_id LIMIT 1 BY fingerprint`,
      query_params: { project, fingerprints },
      format: 'JSONEachRow',
    });
    const newest = new Map((await result.json<{ fingerprint: string; event_json: string }>()).map((r) => [r.fingerprint, r.event_json]));
    return fingerprints.flatMap((fingerprint) => {
      const json = newest.get(fingerprint);
      return json === undefined ? [] : [JSON.parse(json) as CrashEvent];
    });
  }
}

/**
 * The events whose full payload is kept: per issue, the first `perIssue` of the batch in time
 * order. Every new issue's first event is among them, so the analyzer always has samples.
 */
export function payloadSamples(events: CrashEvent[], perIssue: number): Set<CrashEvent> {
  const byIssue = new Map<string, CrashEvent[]>();
  for (const event of events) {
    const key = `${event.project}\u0000${event.fingerprint}`;
    const list = byIssue.get(key);
    if (list) list.push(event);
    else byIssue.set(key, [event]);
  }
  const kept = new Set<CrashEvent>();
  for (const list of byIssue.values()) {
    if (list.length > perIssue) list.sort(byTimeThenId);
    for (const event of list.slice(0, perIssue)) kept.add(event);
  }
  return kept;
}
