import type { FaultlineConfig } from '@faultline/config';
import { connectClickHouse, runMigrations, type ClickHouse } from '@faultline/clickhouse';
import { connectTopicProducer, createKafka, type TopicProducer } from '@faultline/kafka';
import { Logger, Metrics } from '@faultline/observability';
import type { Admin, Kafka } from 'kafkajs';

/**
 * What a process shares between its services: config, metrics, logs, one ClickHouse client
 * (chDB allows one data directory per process), one Kafka producer and one Kafka admin. Apps create it once
 * and pass it to each service module; the all-in-one process passes the same one to all.
 */
export interface Runtime {
  config: FaultlineConfig;
  metrics: Metrics;
  logger: Logger;
  clickhouse(): Promise<ClickHouse>;
  kafka(): Kafka;
  producer(): Promise<TopicProducer>;
  /** A connected admin client, kept for the process (readiness probes ask it every few seconds). */
  admin(): Promise<Admin>;
  close(): Promise<void>;
}

export function createRuntime(config: FaultlineConfig, name: string): Runtime {
  const metrics = new Metrics({ defaultMetrics: config.metricsEnabled });
  const logger = new Logger(name, config.logLevel);
  let clickhouse: Promise<ClickHouse> | null = null;
  let kafka: Kafka | null = null;
  let producer: Promise<TopicProducer> | null = null;
  let admin: Promise<Admin> | null = null;

  const runtime: Runtime = {
    config,
    metrics,
    logger,
    clickhouse() {
      clickhouse ??= (async () => {
        const ch = await connectClickHouse(config.clickhouse);
        const applied = await runMigrations(ch.client, config.clickhouse);
        if (applied.length > 0) logger.info('migrations applied', { applied });
        return ch;
      })();
      return clickhouse;
    },
    kafka() {
      kafka ??= createKafka(config.kafka, logger);
      return kafka;
    },
    producer() {
      producer ??= connectTopicProducer(runtime.kafka(), config.kafka).catch((error: unknown) => {
        // Not cached: the next caller tries to connect again once Kafka is back.
        producer = null;
        throw error;
      });
      return producer;
    },
    admin() {
      admin ??= (async () => {
        const client = runtime.kafka().admin();
        await client.connect();
        return client;
      })().catch((error: unknown) => {
        admin = null;
        throw error;
      });
      return admin;
    },
    async close() {
      if (producer) await (await producer).disconnect().catch(() => undefined);
      if (admin) await (await admin.catch(() => null))?.disconnect().catch(() => undefined);
      if (clickhouse) await (await clickhouse).close();
    },
  };
  return runtime;
}

/** The DI token under which service modules receive the process's Runtime. */
export const RUNTIME = Symbol.for('faultline.runtime');
