/**
 * Two clusterer instances in one consumer group share the normalized topic's partitions: every
 * event is stored once, every fingerprint gets exactly one issue.new, and both did part of the
 * work. (chDB allows one data directory per process, so the two instances share this process's
 * ClickHouse client; with a ClickHouse server they would be two processes.)
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { ClusterQueries, EventsRepository, SignalsRepository } from '@faultline/clickhouse';
import { ClusteringEngine, createRuntime, type Runtime } from '@faultline/pipeline';
import type { CrashEvent, Signal } from '@faultline/schema';
import { ClustererModule } from '@faultline/service-clusterer';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { expectEventually, makeCrashEvent, testEnvironment } from '@faultline/testing';

/** Counts what one instance stored. */
class CountingEngine extends ClusteringEngine {
  stored = 0;
  override async ingest(batch: CrashEvent[]) {
    const result = await super.ingest(batch);
    this.stored += result.inserted;
    return result;
  }
}

describe('clusterer scale-out', () => {
  const { env, cleanup } = testEnvironment('scale');
  let runtime: Runtime;
  const hosts: ServiceHost[] = [];
  const engines: CountingEngine[] = [];

  before(async () => {
    runtime = createRuntime(loadConfig({ ...env, KAFKA_PARTITIONS: '6', OPS_PORT: '0' }, {}), 'scale');
    const clickhouse = await runtime.clickhouse();
    for (let i = 0; i < 2; i++) {
      const engine = new CountingEngine(clickhouse.client);
      engines.push(engine);
      hosts.push(await hostServices(runtime, [ClustererModule.register(runtime, engine)], { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: true } }));
    }
  });

  after(async () => {
    for (const host of hosts) await host.close();
    await runtime?.close();
    cleanup();
  });

  it('shares the partitions, stores every event once and emits one issue.new per fingerprint', async () => {
    const now = Date.now();
    const events: CrashEvent[] = [];
    for (let bug = 0; bug < 40; bug++) {
      for (let n = 0; n < 10; n++) {
        events.push(
          makeCrashEvent({ id: `e-${bug}-${n}`, fingerprint: `fp-${bug}`, project: 'scale', timestamp: new Date(now - n * 1000).toISOString() }, [
            { function: `handler${bug}`, file: `src/h${bug}.js`, line: 1 },
            { function: `crash${bug}`, file: `src/c${bug}.js`, line: 2 },
          ]),
        );
      }
    }
    const producer = await runtime.producer();
    await producer.send('normalizedEvents', events);
    // A replay of half of them, as after a rebalance: nothing may count twice.
    await producer.send('normalizedEvents', events.slice(0, 200));

    const client = (await runtime.clickhouse()).client;
    // Events are stored first, then issues and signals, within each batch: wait for all of it.
    await expectEventually(
      async () => {
        assert.equal(await new EventsRepository(client).countEvents('scale'), 400);
        const issues = await new ClusterQueries(client).issues('scale');
        assert.equal(issues.length, 40);
        assert.ok(issues.every((i) => i.events === 10));
        const signals: Signal[] = await new SignalsRepository(client).list({ project: 'scale', kinds: ['issue.new'] });
        assert.deepEqual(signals.map((s) => s.fingerprint).sort(), Array.from({ length: 40 }, (_, b) => `fp-${b}`).sort());
        // An instance counts its batch when ingest returns, a little after its rows are visible.
        assert.equal(engines[0].stored + engines[1].stored, 400);
      },
      { timeoutMs: 60_000 },
    );
    assert.ok(engines[0].stored > 0 && engines[1].stored > 0, `both instances stored events (${engines[0].stored}, ${engines[1].stored})`);
  });
});
