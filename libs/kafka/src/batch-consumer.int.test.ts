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
});
