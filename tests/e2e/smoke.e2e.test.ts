/**
 * Foundation smoke test: a message produced to the real broker is consumed by a NestJS app
 * through the project's batch transport, written to ClickHouse, and read back.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { loadConfig } from '@faultline/config';
import { connectClickHouse, runMigrations, type ClickHouse } from '@faultline/clickhouse';
import {
  KafkaBatchHandler,
  KafkaBatchStrategy,
  connectTopicProducer,
  createKafka,
  type ConsumedMessage,
  type TopicProducer,
  type MessageOutcome,
} from '@faultline/kafka';
import { Logger, Metrics } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';
import { expectEventually, testEnvironment } from '@faultline/testing';

const CLICKHOUSE = Symbol('clickhouse');
/** Sizes of the batches the handler received. */
const batchSizes: number[] = [];

@Controller()
class SmokeController {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouse) {}

  @KafkaBatchHandler('rawReports', 'smoke')
  async handle(messages: ConsumedMessage<RawReport>[]): Promise<MessageOutcome[]> {
    batchSizes.push(messages.length);
    await this.clickhouse.client.insert({
      table: 'smoke_reports',
      values: messages.map((m) => ({ report_id: m.value.reportId, project: m.value.project, payload: m.value.payload })),
      format: 'JSONEachRow',
    });
    return messages.map(() => ({ kind: 'processed' }));
  }
}

describe('smoke: broker → NestJS batch consumer → ClickHouse', () => {
  const { env, cleanup } = testEnvironment('smoke');
  const config = loadConfig(env, {});
  let clickhouse: ClickHouse;
  let app: INestMicroservice;
  /** The process's Kafka client and producer, as a service's Runtime holds them. */
  const kafka = createKafka(config.kafka);
  let producer: Promise<TopicProducer> | undefined;
  const metrics = new Metrics({ defaultMetrics: false });

  before(async () => {
    clickhouse = await connectClickHouse(config.clickhouse);
    await runMigrations(clickhouse.client, config.clickhouse);
    await clickhouse.client.command({
      query: 'CREATE TABLE IF NOT EXISTS smoke_reports (report_id String, project String, payload String) ENGINE = MergeTree ORDER BY report_id',
    });
    @Module({ controllers: [SmokeController], providers: [{ provide: CLICKHOUSE, useValue: clickhouse }] })
    class SmokeModule {}
    app = await NestFactory.createMicroservice(SmokeModule, {
      strategy: new KafkaBatchStrategy({
        kafka,
        producer: () => (producer ??= connectTopicProducer(kafka, config.kafka)),
        topicPrefix: config.kafka.topicPrefix,
        batch: config.batch,
        // The raw topic's consumers take their own limits (as the normalizer's do).
        batchByTopic: { rawReports: { maxRows: 2, maxWaitMs: 50 } },
        metrics,
        logger: new Logger('smoke', 'warn'),
      }),
      logger: false,
    });
    await app.listen();
  });

  after(async () => {
    await app?.close();
    await (await producer)?.disconnect();
    await clickhouse?.close();
    cleanup();
  });

  it('round-trips a report through the real broker into ClickHouse', async () => {
    // Another client, as an ingest gateway would be.
    const gateway = await connectTopicProducer(createKafka(config.kafka), config.kafka);
    const reports: RawReport[] = [1, 2, 3].map((n) => ({
      reportId: `smoke-${n}`,
      project: 'smoke',
      kind: 'log_text',
      receivedAt: new Date().toISOString(),
      sourceName: 'smoke.log',
      payload: `hello ${n}`,
    }));
    await gateway.send('rawReports', reports);
    await gateway.disconnect();

    const rows = await expectEventually(async () => {
      const result = await clickhouse.client.query({
        query: 'SELECT report_id, payload FROM smoke_reports WHERE project = {project:String} ORDER BY report_id',
        query_params: { project: 'smoke' },
        format: 'JSONEachRow',
      });
      const rows = await result.json<{ report_id: string; payload: string }>();
      assert.equal(rows.length, 3);
      return rows;
    });
    assert.deepEqual(rows, [
      { report_id: 'smoke-1', payload: 'hello 1' },
      { report_id: 'smoke-2', payload: 'hello 2' },
      { report_id: 'smoke-3', payload: 'hello 3' },
    ]);
    assert.ok(batchSizes.length >= 2 && batchSizes.every((size) => size <= 2), `batches of at most 2 rows: ${batchSizes.join(', ')}`);
    // Offsets were committed after the insert: the group has nothing left to read.
    const text = await metrics.text();
    assert.match(text, /faultline_events_total\{stage="smoke",outcome="processed",reason="none"\} 3/);
  });
});
