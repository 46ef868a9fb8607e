/**
 * Starts the test services once per run and tears them down at the end.
 * Where they come from, in order:
 *   1. KAFKA_BROKERS / CLICKHOUSE_URL when set;
 *   2. a Docker engine, when one answers: testcontainers' Kafka and ClickHouse modules;
 *   3. otherwise the local broker script (deploy/kafka/kafka.sh) and embedded chDB.
 * Test files run as child processes and inherit the resulting environment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above the compiled file that has deploy/kafka. */
function findRoot(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'deploy', 'kafka', 'kafka.sh'))) return current;
    if (dirname(current) === current) throw new Error(`no repository root above ${dir}`);
  }
}
const root = findRoot(__dirname);
const stops: Array<() => Promise<void>> = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

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
  // Two free ports in a row: the broker and its KRaft controller.
  let port = await freePort();
  while (!(await portFree(port + 1))) port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kafka-'));
  const out = execFileSync('bash', [join(root, 'deploy/kafka/kafka.sh'), 'start', '--port', String(port), '--dir', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(out)?.[1];
  stops.push(async () => {
    execFileSync('bash', [join(root, 'deploy/kafka/kafka.sh'), 'stop', '--dir', dir], { stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
  });
  if (!brokers) throw new Error(`the local broker did not report its address:\n${out}`);
  return brokers;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
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
