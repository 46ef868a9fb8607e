import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Settings for a test that needs the services global setup started: the real broker, and
 * ClickHouse (a server when CLICKHOUSE_URL is set, else a fresh chDB directory for this
 * test process). Each call gets its own topic prefix so tests never see each other's data.
 */
export function testEnvironment(name: string): { env: Record<string, string>; cleanup: () => void } {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run tests through `npm test` (global setup starts the broker)');
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const chdbDir = mkdtempSync(join(tmpdir(), `faultline-chdb-${name}-`));
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `${id}.`,
    KAFKA_PARTITIONS: '3',
    CHDB_PATH: chdbDir,
    CLICKHOUSE_DATABASE: `t_${id.replace(/\W/g, '_')}`,
    BATCH_MAX_WAIT_MS: '100',
    LOG_LEVEL: 'warn',
  };
  if (process.env.CLICKHOUSE_URL) env.CLICKHOUSE_URL = process.env.CLICKHOUSE_URL;
  return { env, cleanup: () => rmSync(chdbDir, { recursive: true, force: true }) };
}
