import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

export interface MigrationSettings {
  eventsTtlDays: number;
}

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/** Reads `NNN_name.sql` files in order; `{{events_ttl_days}}` is the one template value (a validated integer). */
export function loadMigrations(settings: MigrationSettings, dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const sql = text.replaceAll('{{events_ttl_days}}', String(Math.trunc(settings.eventsTtlDays)));
      const statements = sql
        .split(/;\s*(?:\n|$)/)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0);
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        statements,
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

export class MigrationChecksumError extends Error {}

/**
 * Applies every migration not yet in the ledger table, in order, and records each one.
 * An applied migration whose file changed is an error: migrations are append-only.
 */
export async function runMigrations(client: ClickHouseClient, settings: MigrationSettings, dir = MIGRATIONS_DIR): Promise<string[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const result = await client.query({ query: 'SELECT version, checksum FROM schema_migrations FINAL', format: 'JSONEachRow' });
  const applied = new Map((await result.json<{ version: number; checksum: string }>()).map((r) => [Number(r.version), r.checksum]));
  const done: string[] = [];
  for (const migration of loadMigrations(settings, dir)) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationChecksumError(`migration ${migration.name} changed after it was applied (ledger ${checksum}, file ${migration.checksum})`);
      }
      continue;
    }
    for (const statement of migration.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    });
    done.push(migration.name);
  }
  return done;
}
