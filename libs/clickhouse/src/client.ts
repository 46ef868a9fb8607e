import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { mkdirSync } from 'node:fs';
import type { FaultlineConfig } from '@faultline/config';

export type ClickHouseSettings = FaultlineConfig['clickhouse'];

export interface ClickHouse {
  readonly client: ClickHouseClient;
  readonly kind: 'server' | 'embedded';
  close(): Promise<void>;
}

/**
 * The one way to get a ClickHouse client: a server when CLICKHOUSE_URL is set, else
 * embedded chDB in `chdbPath`. chDB allows one data directory per process, so a process
 * creates this once and shares it (the apps provide it through DI).
 */
export async function connectClickHouse(settings: ClickHouseSettings): Promise<ClickHouse> {
  const common = {
    clickhouse_settings: {
      // Parameters are always bound server-side; these keep dates and big numbers unambiguous.
      date_time_input_format: 'best_effort' as const,
      output_format_json_quote_64bit_integers: 0 as const,
    },
  };
  if (settings.url) {
    const bootstrap = createClient({ url: settings.url, username: settings.user, password: settings.password, ...common });
    // Identifiers cannot be bound as parameters; the database name is validated by the config schema.
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${settings.database}` });
    await bootstrap.close();
    const client = createClient({
      url: settings.url,
      username: settings.user,
      password: settings.password,
      database: settings.database,
      request_timeout: 60_000,
      ...common,
    });
    return { client, kind: 'server', close: () => client.close() };
  }
  mkdirSync(settings.chdbPath, { recursive: true });
  // Loaded lazily: the native engine costs ~200 MB and servers never need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/connection');
  const connection = createChdbConnection({ path: settings.chdbPath });
  // The cast bridges chdb's Connection typing and @clickhouse/client 1.23's (identical at run time).
  const client = createClient({ connection: connection as never, ...common });
  rawJsonInserts.set(client, (table, body, settings) =>
    connection.chdb.rawInsert({ table, values: body, format: 'JSONEachRow', settings: { ...common.clickhouse_settings, ...settings } }),
  );
  return {
    client,
    kind: 'embedded',
    close: async () => {
      await client.close();
      await connection.close();
    },
  };
}

type InsertSettings = Record<string, string | number>;

/** Embedded clients' byte-passthrough insert, registered when they are created. */
const rawJsonInserts = new WeakMap<ClickHouseClient, (table: string, body: Buffer, settings: InsertSettings) => Promise<unknown>>();

/**
 * Inserts rows as JSONEachRow, the hot path of event storage. On a server this is the client's
 * insert. On embedded chDB the client's insert inlines the rows into the SQL text; here they go
 * as bytes to chDB's parallel parser instead, which stores ~1.6× the rows per second.
 */
export async function insertJsonRows(client: ClickHouseClient, table: string, rows: object[], settings: InsertSettings = {}): Promise<void> {
  if (rows.length === 0) return;
  const raw = rawJsonInserts.get(client);
  if (!raw) {
    await client.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: settings });
    return;
  }
  let body = '';
  for (const row of rows) body += JSON.stringify(row) + '\n';
  await raw(table, Buffer.from(body), settings);
}
