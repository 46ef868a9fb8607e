import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCrashEvent } from '@faultline/testing';
import { ApiQueries } from './api-queries';
import { connectClickHouse, type ClickHouse } from './client';
import { EventsRepository } from './events.repository';
import { MIGRATIONS_DIR, runMigrations } from './migrations';
import { toClickHouseTime } from './rows';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const crash = (id: string, fingerprint: string, second: number) =>
  makeCrashEvent({ id, fingerprint, project: 'p1', timestamp: new Date(T0 + second * 1000).toISOString() }, [
    { function: 'charge', file: 'src/pay.js', line: 7, inApp: true },
  ]);

describe('EventsRepository on chDB: every event as columns, payloads for samples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-chdb-events-'));
  const before005 = mkdtempSync(join(tmpdir(), 'faultline-migrations-'));
  let ch: ClickHouse;

  before(async () => {
    ch = await connectClickHouse({ url: null, user: 'default', password: '', database: 'faultline', chdbPath: dir, eventsTtlDays: 3650 });
    // A store created before payload sampling: migrations 001–004, with an event stored the old way.
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^00[1-4]_/.test(f))) symlinkSync(join(MIGRATIONS_DIR, file), join(before005, file));
    await runMigrations(ch.client, { eventsTtlDays: 3650 }, before005);
    const old = crash('old-1', 'fp-old', 0);
    await ch.client.insert({
      table: 'crash_events',
      values: [{ project: 'p1', fingerprint: 'fp-old', event_id: 'old-1', timestamp: toClickHouseTime(old.timestamp), received_at: toClickHouseTime(old.receivedAt), event_json: JSON.stringify(old) }],
      format: 'JSONEachRow',
    });
    await runMigrations(ch.client, { eventsTtlDays: 3650 });
  });
  after(async () => {
    await ch?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(before005, { recursive: true, force: true });
  });

  it('keeps the payload of events stored before the migration', async () => {
    const [row] = await new ApiQueries(ch.client).listEvents('p1', { eventId: 'old-1', limit: 1 });
    assert.equal(row.payloadKept, true);
    const stored = await new EventsRepository(ch.client).getPayload('p1', 'old-1');
    assert.equal(stored?.exceptions[0].frames[0].function, 'charge');
  });

  it('keeps full payloads for the first events of each issue in a batch, and columns for all', async () => {
    const repo = new EventsRepository(ch.client, { payloadSamplesPerIssue: 2 });
    const batch = [crash('a3', 'fp-a', 3), crash('a1', 'fp-a', 1), crash('a2', 'fp-a', 2), crash('a4', 'fp-a', 4), crash('b1', 'fp-b', 1)];
    assert.deepEqual(await repo.insertEvents(batch), { inserted: 5, duplicates: 0 });

    const samples = await repo.eventsOfIssues('p1', ['fp-a', 'fp-b'], 10);
    assert.deepEqual(samples.map((e) => e.id).sort(), ['a1', 'a2', 'b1']);
    const newest = await repo.newestEventOfEach('p1', ['fp-b', 'fp-none', 'fp-a']);
    assert.deepEqual(newest.map((e) => e.id), ['b1', 'a2'], 'the newest kept sample of each issue, in the order asked');

    assert.deepEqual(await repo.getPayload('p1', 'a1'), batch[1]);
    assert.equal(await repo.getPayload('p1', 'a4'), null);
    const [summary] = await new ApiQueries(ch.client).listEvents('p1', { eventId: 'a4', limit: 1 });
    assert.equal(summary.payloadKept, false);
    assert.equal(summary.eventId, 'a4');
    assert.equal(summary.timestamp, batch[3].timestamp);
    assert.equal(summary.crashFrame, 'charge (src/pay.js:7)');
    assert.deepEqual(await new ApiQueries(ch.client).listEvents('p1', { eventId: 'nope', limit: 1 }), []);

    const listed = await new ApiQueries(ch.client).listEvents('p1', { fingerprint: 'fp-a', limit: 10 });
    assert.deepEqual(
      listed.map((e) => [e.eventId, e.payloadKept]),
      [['a4', false], ['a3', false], ['a2', true], ['a1', true]],
    );
  });

  it('recognises a replay, even from a client whose clock drifted, and stores nothing twice', async () => {
    const repo = new EventsRepository(ch.client, { payloadSamplesPerIssue: 2 });
    const drifted = { ...crash('a1', 'fp-a', 1), timestamp: new Date(T0 + 3_600_000).toISOString() };
    assert.deepEqual(await repo.insertEvents([crash('a2', 'fp-a', 2), drifted, crash('a5', 'fp-a', 5)]), { inserted: 1, duplicates: 2 });
    const result = await ch.client.query({ query: "SELECT count() AS n FROM event_samples WHERE project = 'p1' AND fingerprint = 'fp-a'", format: 'JSONEachRow' });
    assert.equal(Number((await result.json<{ n: string }>())[0].n), 3, 'a1, a2 and the new a5');
    assert.equal(await repo.countEvents('p1'), 7);
  });

  it('checks a batch of several projects in one lookup: an id is a duplicate only within its own project', async () => {
    const repo = new EventsRepository(ch.client);
    const inP2 = (id: string, second: number) => ({ ...crash(id, 'fp-a', second), project: 'p2' });
    // a2 and a5 are stored for p1 (tests above); the same ids in p2 are other events.
    const batch = [crash('a2', 'fp-a', 2), inP2('a2', 2), inP2('a5', 5), crash('a9', 'fp-a', 9), inP2('a2', 2)];
    assert.deepEqual(await repo.insertEvents(batch), { inserted: 3, duplicates: 2 });
    assert.equal(await repo.countEvents('p1'), 8);
    assert.equal(await repo.countEvents('p2'), 2);
    assert.deepEqual(await repo.insertEvents(batch), { inserted: 0, duplicates: 5 }, 'the whole batch replayed');
  });
});
