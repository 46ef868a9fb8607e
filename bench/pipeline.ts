/**
 * Pipeline benchmark (not a test): N generated events are produced to the real local broker as
 * raw reports; then the normalizer (with its worker threads, as the service runs it) and the
 * clusterer run together in this process on embedded chDB until every event is queryable.
 * Latency is per event, from the moment the normalizer picks it up to the moment ClickHouse
 * acknowledged its insert. The reference, in the same run: the same rows (columns of every
 * event, payloads of the samples) inserted straight into fresh tables of the same engine, the
 * same way (insertJsonRows).
 *
 *   npm run bench:pipeline [-- N]
 * Last line: {"events":N,"events_per_s":R,"p50_ms":..,"p99_ms":..,"peak_rss_mb":..,"raw_insert_rows_per_s":L,"ratio_to_raw_insert":R/L}
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@faultline/config';
import { insertJsonRows, payloadSamples, toCrashEventRow, toEventSampleRow, type CrashEventRow, type EventSampleRow } from '@faultline/clickhouse';
import { TopicProducer, createKafka, ensureTopics } from '@faultline/kafka';
import { ClusteringEngine, EventProcessor, createRuntime, reportNormalizerFor, type ReportNormalizer } from '@faultline/pipeline';
import type { CrashEvent, RawReport } from '@faultline/schema';
import { ClustererModule } from '@faultline/service-clusterer';
import { NormalizerModule } from '@faultline/service-normalizer';
import { hostServices } from '@faultline/service-ops';
import { benchBroker, percentile } from './support/local-broker';
import { generateSentryEvents } from './support/generate-events';
import { coresUsed, cpuSecondsBetween, threadCpuSeconds } from './support/thread-cpu';

const N = Number(process.argv[2] ?? 200_000);
/** The throughput target of the pipeline (issue 5). */
const TARGET_EVENTS_PER_SECOND = 25_000;

/** Stamps when each event entered the pipeline (the normalizer picked up its report), keyed by event id. */
const entered = new Map<string, number>();
const latencies: number[] = [];
let queryable = 0;
let firstPickup = 0;
/** CPU seconds per kind of thread when the first report was picked up: the pipeline's CPU is counted from there. */
let cpuAtPickup = new Map<string, number>();
let lastAck = 0;
/** Time the clusterer spent storing (ClickHouse), summed over batches. */
let ingestMs = 0;

/** The service's normalizer, stamping each report's pickup (a bench report's id is its event id). */
class TimedNormalizer implements ReportNormalizer {
  constructor(private readonly inner: ReportNormalizer) {}

  async normalize(reports: RawReport[]) {
    const now = performance.now();
    if (firstPickup === 0) {
      firstPickup = now;
      cpuAtPickup = threadCpuSeconds();
    }
    for (const report of reports) entered.set(report.reportId, now);
    return this.inner.normalize(reports);
  }

  close() {
    return this.inner.close();
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
    const engine = new TimedEngine(clickhouse.client, config.clustering);
    const host = await hostServices(
      runtime,
      [NormalizerModule.register(runtime, new TimedNormalizer(reportNormalizerFor(config))), ClustererModule.register(runtime, engine)],
      { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: true } },
    );
    const deadline = Date.now() + 15 * 60_000;
    let lastReport = Date.now();
    // Peak RSS of the pipeline itself (sampled), not of the reference phase after it. memoryUsage.rss()
    // reads only the RSS; memoryUsage() also walks the V8 heaps, on the thread the pipeline runs on.
    let peakRss = process.memoryUsage.rss();
    while (queryable < N && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        process.stderr.write(`… ${queryable} of ${N} queryable\n`);
      }
    }
    const cpuAfter = threadCpuSeconds();
    await host.close();
    if (queryable < N) throw new Error(`only ${queryable} of ${N} events became queryable`);
    const count = await clickhouse.client.query({ query: "SELECT count() AS n FROM crash_events WHERE project = 'bench'", format: 'JSONEachRow' });
    const stored = Number((await count.json<{ n: string }>())[0].n);
    const seconds = (lastAck - firstPickup) / 1000;

    // 3. The reference: the same rows (every event's columns, plus the payload samples) straight
    //    into fresh tables of the same engine, in batches of the same size.
    const processor = new EventProcessor();
    const normalized: CrashEvent[] = [];
    for (const event of generateSentryEvents({ count: N })) {
      const result = await processor.processReport({ reportId: '', project: 'bench', kind: 'sentry_event', receivedAt, sourceName: 'bench', payload: JSON.stringify(event) });
      normalized.push(...result.events);
    }
    await clickhouse.client.command({ query: 'CREATE TABLE crash_events_reference AS crash_events' });
    await clickhouse.client.command({ query: 'CREATE TABLE event_samples_reference AS event_samples' });
    const batches: Array<{ samples: EventSampleRow[]; rows: CrashEventRow[] }> = [];
    for (let i = 0; i < normalized.length; i += config.batch.maxRows) {
      const batch = normalized.slice(i, i + config.batch.maxRows);
      const kept = payloadSamples(batch, config.clustering.payloadSamplesPerIssue);
      batches.push({ samples: batch.filter((e) => kept.has(e)).map(toEventSampleRow), rows: batch.map((e) => toCrashEventRow(e, kept.has(e))) });
    }
    const refStart = performance.now();
    for (const { samples, rows } of batches) {
      await insertJsonRows(clickhouse.client, 'event_samples_reference', samples);
      await insertJsonRows(clickhouse.client, 'crash_events_reference', rows);
    }
    const rawInsertRowsPerSecond = normalized.length / ((performance.now() - refStart) / 1000);
    await runtime.close();

    latencies.sort((a, b) => a - b);
    const eventsPerSecond = stored / seconds;
    process.stderr.write(
      `produced ${N} raw reports in ${produceSeconds.toFixed(1)} s; pipeline ${seconds.toFixed(1)} s, of which storing ${(ingestMs / 1000).toFixed(1)} s\n` +
        `cores used during the pipeline: ${coresUsed(cpuAtPickup, cpuAfter, seconds) || 'n/a'}\n` +
        // What the targets leave per event, to compare with what the pipeline spends (the broker's share not counted).
        `this process's CPU per event: ${Math.round((cpuSecondsBetween(cpuAtPickup, cpuAfter) / stored) * 1e6)} µs; ` +
        `${TARGET_EVENTS_PER_SECOND.toLocaleString('en')} events/s on ${availableParallelism()} cores leaves ${Math.round((availableParallelism() / TARGET_EVENTS_PER_SECOND) * 1e6)} µs for everything\n`,
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
