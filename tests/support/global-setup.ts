/**
 * Starts the test services once per run and tears them down at the end.
 * Where they come from, in order:
 *   1. KAFKA_BROKERS / CLICKHOUSE_URL when set;
 *   2. a Docker engine, when one answers: testcontainers' Kafka and ClickHouse modules;
 *   3. otherwise the local broker script (deploy/kafka/kafka.sh) and embedded chDB.
 * Test files run as child processes and inherit the resulting environment.
 */
import { existsSync } from 'node:fs';
import { startLocalBroker } from '@faultline/testing';

const stops: Array<() => Promise<void>> = [];

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startKafka(useDocker: boolean): Promise<string> {
  if (useDocker) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    stops.push(async () => void (await container.stop()));
    return `${container.getHost()}:${container.getMappedPort(9093)}`;
  }
  const broker = await startLocalBroker();
  stops.push(async () => broker.stop());
  return broker.brokers;
}

async function startClickHouse(): Promise<string> {
  const { ClickHouseContainer } = await import('@testcontainers/clickhouse');
  const container = await new ClickHouseContainer('clickhouse/clickhouse-server:25.8').start();
  stops.push(async () => void (await container.stop()));
  return container.getConnectionUrl();
}

export async function globalSetup(): Promise<void> {
  const useDocker = !(process.env.KAFKA_BROKERS && process.env.CLICKHOUSE_URL) && (await dockerAnswers());
  if (!process.env.KAFKA_BROKERS) process.env.KAFKA_BROKERS = await startKafka(useDocker);
  if (!process.env.CLICKHOUSE_URL && useDocker) process.env.CLICKHOUSE_URL = await startClickHouse();
  process.stderr.write(
    `test services: kafka ${process.env.KAFKA_BROKERS}, clickhouse ${process.env.CLICKHOUSE_URL ?? 'embedded chDB'}\n`,
  );
}

export async function globalTeardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop();
}
