import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime } from './rows';

/** Our timestamps' type, as query parameters spell it: `{from:${DT}}`. */
export const DT = "DateTime64(3, 'UTC')";
const EPOCH = '1970-01-01T00:00:00.000Z';
/** Later than any event: the open end of a time range, and the start of a newest-first keyset. */
export const FAR_FUTURE = '2200-01-01T00:00:00.000Z';

export interface TimeRange {
  from?: string;
  to?: string;
}

/** A time range as `{from}` / `{to}` query parameters; an open end reaches the epoch or the far future. */
export function timeRangeParams(range: TimeRange): { from: string; to: string } {
  return { from: toClickHouseTime(range.from ?? EPOCH), to: toClickHouseTime(range.to ?? FAR_FUTURE) };
}

/** Runs a SELECT with its input as query parameters, never as SQL text, and returns its rows. */
export async function selectRows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}
