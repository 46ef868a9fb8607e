import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { Logger, Metrics } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';
import { expectEventually, testEnvironment } from '@faultline/testing';
import { BatchConsumer, type ConsumedMessage } from './batch-consumer';
import { TopicProducer, createKafka, ensureTopics } from './client';
import { topicName } from './topics';

const report = (n: number): RawReport => ({
  reportId: `r${n}`,
  project: 'p',
  kind: 'log_text',
  receivedAt: new Date().toISOString(),
  sourceName: 's',
  payload: `line ${n}`,
});

describe('BatchConsumer on the real broker', () => {
  const { env, cleanup } = testEnvironment('batch');
  const config = loadConfig({ ...env, KAFKA_PARTITIONS: '1' }, {});
  const kafka = createKafka(config.kafka);
  after(cleanup);

  it('commits the batch in progress when it stops, so a restart does not consume it again', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, config.kafka);
    const producer = await TopicProducer.connect(kafka, config.kafka.topicPrefix);
    const metrics = new Metrics({ defaultMetrics: false });
    const seen: string[] = [];
    const options = { group: 'batch-stop', topic: 'rawReports' as const, maxRows: 100, maxWaitMs: 1500, prefix: config.kafka.topicPrefix };
    const handler = async (messages: ConsumedMessage<RawReport>[]) => {
      seen.push(...messages.map((m) => m.value.reportId));
      return messages.map(() => ({ kind: 'processed' as const }));
    };
    const first = new BatchConsumer<'rawReports'>(kafka, producer, metrics, new Logger('t', 'error'), options, handler);
    await first.start();
    await producer.send('rawReports', [report(1), report(2), report(3)]);
    // The batch is fetched and waiting for its time bound (1.5 s) when the consumer is told to stop.
    await expectEventually(async () => assert.match(await metrics.text(), /faultline_consumer_lag\{group="batch-stop"/));
    await first.stop();
    assert.deepEqual(seen, ['r1', 'r2', 'r3']);
    const [committed] = await admin.fetchOffsets({ groupId: 'batch-stop', topics: [topicName('rawReports', config.kafka.topicPrefix)] });
    assert.equal(committed.partitions[0].offset, '3');

    const second = new BatchConsumer<'rawReports'>(kafka, producer, metrics, new Logger('t', 'error'), { ...options, maxWaitMs: 50 }, handler);
    await second.start();
    await producer.send('rawReports', [report(4)]);
    await expectEventually(() => assert.deepEqual(seen, ['r1', 'r2', 'r3', 'r4']));
    await second.stop();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('after a batch fails for good, consumes again from the last commit and loses nothing', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = await TopicProducer.connect(kafka, config.kafka.topicPrefix);
    const metrics = new Metrics({ defaultMetrics: false });
    const handled: string[] = [];
    let failures = 0;
    const options = { group: 'batch-rewind', topic: 'rawReports' as const, maxRows: 5, maxWaitMs: 50, maxAttempts: 2, prefix: config.kafka.topicPrefix };
    const consumer = new BatchConsumer<'rawReports'>(kafka, producer, metrics, new Logger('t', 'error'), options, async (messages) => {
      // The batch holding r107 fails both attempts the first time: the consumer gives up on it.
      if (messages.some((m) => m.value.reportId === 'r107') && failures < 2) {
        failures += 1;
        throw new Error('store unavailable');
      }
      handled.push(...messages.map((m) => m.value.reportId));
      return messages.map(() => ({ kind: 'processed' as const }));
    });
    await consumer.start();
    const reports = Array.from({ length: 20 }, (_, i) => report(101 + i));
    await producer.send('rawReports', reports);
    try {
      await expectEventually(() => assert.ok(reports.every((r) => handled.includes(r.reportId)), `handled ${handled.join(',')}`), { timeoutMs: 30_000 });
      assert.equal(failures, 2, 'the failing batch was attempted twice, then consumed again');
    } finally {
      await consumer.stop();
    }
    // Everything the topic holds is committed: the first test's four reports and these twenty.
    const [final] = await admin.fetchOffsets({ groupId: 'batch-rewind', topics: [topicName('rawReports', config.kafka.topicPrefix)] });
    assert.equal(final.partitions[0].offset, '24');
    await producer.disconnect();
    await admin.disconnect();
  });
});
