/**
 * Pipeline benchmark (not a test): N generated events are produced to the real local broker as
 * raw reports; then the normalizer and the clusterer run together in this process on embedded
 * chDB until every event is queryable. Latency is per event, from the moment the normalizer
 * picks it up to the moment ClickHouse acknowledged its insert. The reference, in the same run:
 * the same normalized rows inserted straight into a fresh table of the same engine.
 *
 *   npm run bench:pipeline [-- N]
 * Last line: {"events":N,"events_per_s":R,"p50_ms":..,"p99_ms":..,"peak_rss_mb":..,"raw_insert_rows_per_s":L,"ratio_to_raw_insert":R/L}
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@faultline/config';
import { toCrashEventRow } from '@faultline/clickhouse';
import { TopicProducer, createKafka, ensureTopics } from '@faultline/kafka';
import { ClusteringEngine, EventProcessor, createRuntime } from '@faultline/pipeline';
import type { CrashEvent, RawReport } from '@faultline/schema';
import { ClustererModule } from '@faultline/service-clusterer';
import { NormalizerModule } from '@faultline/service-normalizer';
import { hostServices } from '@faultline/service-ops';
import { benchBroker, percentile } from './support/local-broker';
import { generateSentryEvents } from './support/generate-events';

const N = Number(process.argv[2] ?? 200_000);

/** Stamps when each event entered the pipeline, keyed by event id. */
const entered = new Map<string, number>();
const latencies: number[] = [];
let queryable = 0;
let firstPickup = 0;
let lastAck = 0;
/** Where the time goes: normalizing vs storing (ClickHouse), summed over batches. */
let normalizeMs = 0;
let ingestMs = 0;

class TimedProcessor extends EventProcessor {
  override async processReport(report: RawReport) {
    const now = performance.now();
    if (firstPickup === 0) firstPickup = now;
    const result = await super.processReport(report);
    normalizeMs += performance.now() - now;
    for (const event of result.events) entered.set(event.id, now);
    return result;
  }
}

class TimedEngine extends ClusteringEngine {
  override async ingest(batch: CrashEvent[]) {
    const started = performance.now();
    const result = await super.ingest(batch);
    const now = performance.now();
    ingestMs += now - started;
    for (const event of batch) {
      const start = entered.get(event.id);
      if (start !== undefined) {
        latencies.push(now - start);
        entered.delete(event.id);
      }
    }
    queryable += result.inserted;
    lastAck = now;
    return result;
  }
}

async function main(): Promise<void> {
  const broker = await benchBroker(process.env.KAFKA_BROKERS);
  const chdb = mkdtempSync(join(tmpdir(), 'faultline-bench-chdb-'));
  try {
    const config = loadConfig(
      {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC_PREFIX: `bench-${randomUUID().slice(0, 8)}.`,
        KAFKA_PARTITIONS: '4',
        CHDB_PATH: chdb,
        CLICKHOUSE_URL: process.env.CLICKHOUSE_URL,
        BATCH_MAX_ROWS: '10000',
        BATCH_MAX_WAIT_MS: '250',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
        OPS_PORT: '0',
        METRICS_ENABLED: 'false',
      },
      {},
    );

    // 1. Load the raw topic (not timed).
    const kafka = createKafka(config.kafka);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, config.kafka);
    await admin.disconnect();
    const producer = await TopicProducer.connect(kafka, config.kafka.topicPrefix);
    const producedAt = performance.now();
    let chunk: RawReport[] = [];
    const receivedAt = new Date().toISOString();
    for (const event of generateSentryEvents({ count: N })) {
      chunk.push({ reportId: String(event.event_id), project: 'bench', kind: 'sentry_event', receivedAt, sourceName: 'bench', payload: JSON.stringify(event) });
      if (chunk.length === 2000) {
        await producer.send('rawReports', chunk);
        chunk = [];
      }
    }
    await producer.send('rawReports', chunk);
    await producer.disconnect();
    const produceSeconds = (performance.now() - producedAt) / 1000;

    // 2. Normalizer + clusterer in this process, until every event is queryable.
    const runtime = createRuntime(config, 'bench');
    const clickhouse = await runtime.clickhouse();
    const engine = new TimedEngine(clickhouse.client);
    const host = await hostServices(
      runtime,
      [NormalizerModule.register(runtime, new TimedProcessor()), ClustererModule.register(runtime, engine)],
      { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: true } },
    );
    const deadline = Date.now() + 15 * 60_000;
    let lastReport = Date.now();
    // Peak RSS of the pipeline itself (sampled), not of the reference phase after it.
    let peakRss = process.memoryUsage().rss;
    while (queryable < N && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        process.stderr.write(`… ${queryable} of ${N} queryable\n`);
      }
    }
    await host.close();
    if (queryable < N) throw new Error(`only ${queryable} of ${N} events became queryable`);
    const count = await clickhouse.client.query({ query: "SELECT count() AS n FROM crash_events WHERE project = 'bench'", format: 'JSONEachRow' });
    const stored = Number((await count.json<{ n: string }>())[0].n);
    const seconds = (lastAck - firstPickup) / 1000;

    // 3. The reference: the same normalized rows, straight into a fresh table of the same engine.
    const processor = new EventProcessor();
    const rows = [];
    for (const event of generateSentryEvents({ count: N })) {
      const result = await processor.processReport({ reportId: '', project: 'bench', kind: 'sentry_event', receivedAt, sourceName: 'bench', payload: JSON.stringify(event) });
      rows.push(...result.events.map(toCrashEventRow));
    }
    await clickhouse.client.command({ query: 'CREATE TABLE crash_events_reference AS crash_events' });
    const refStart = performance.now();
    for (let i = 0; i < rows.length; i += 10_000) {
      await clickhouse.client.insert({ table: 'crash_events_reference', values: rows.slice(i, i + 10_000), format: 'JSONEachRow' });
    }
    const rawInsertRowsPerSecond = rows.length / ((performance.now() - refStart) / 1000);
    await runtime.close();

    latencies.sort((a, b) => a - b);
    const eventsPerSecond = stored / seconds;
    process.stderr.write(
      `produced ${N} raw reports in ${produceSeconds.toFixed(1)} s; pipeline ${seconds.toFixed(1)} s, of which normalizing ${(normalizeMs / 1000).toFixed(1)} s and storing ${(ingestMs / 1000).toFixed(1)} s\n`,
    );
    process.stdout.write(
      JSON.stringify({
        events: stored,
        events_per_s: Math.round(eventsPerSecond),
        p50_ms: Math.round(percentile(latencies, 50)),
        p99_ms: Math.round(percentile(latencies, 99)),
        peak_rss_mb: Math.round(peakRss / 1024 / 1024),
        raw_insert_rows_per_s: Math.round(rawInsertRowsPerSecond),
        ratio_to_raw_insert: Math.round((eventsPerSecond / rawInsertRowsPerSecond) * 100) / 100,
      }) + '\n',
    );
  } finally {
    broker.stop();
    rmSync(chdb, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:pipeline failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
