export { connectClickHouse } from './client';
export type { ClickHouse, ClickHouseSettings } from './client';
export { MIGRATIONS_DIR, MigrationChecksumError, loadMigrations, runMigrations } from './migrations';
export type { Migration, MigrationSettings } from './migrations';
export { EventsRepository } from './events.repository';
export type { InsertEventsResult } from './events.repository';
export { fromClickHouseTime, toClickHouseTime, toCrashEventRow } from './rows';
export type { CrashEventRow } from './rows';
