import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@faultline/config';
import { ClusteringEngine, clusterAnalyzerFor, createRuntime, reportNormalizerFor } from '@faultline/pipeline';
import { AnalyzerModule } from '@faultline/service-analyzer';
import { ApiModule } from '@faultline/service-api';
import { ClustererModule } from '@faultline/service-clusterer';
import { DetectorModule } from '@faultline/service-detector';
import { KafkaReportPublisher, startGateway } from '@faultline/service-gateway';
import { NormalizerModule } from '@faultline/service-normalizer';
import { hostServices } from '@faultline/service-ops';
import { EXIT, UsageError } from '../usage';

/** The repository root: where deploy/kafka/kafka.sh is, above the compiled CLI. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'deploy', 'kafka', 'kafka.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find deploy/kafka/kafka.sh above the CLI');
  }
}

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port), timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** Local credentials, made once and kept, so DSNs and tokens survive restarts of the stack. */
function localCredentials(stateDir: string): { project: string; publicKey: string; apiToken: string } {
  const file = join(stateDir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { project: string; publicKey: string; apiToken: string };
  const credentials = { project: 'local', publicKey: randomBytes(16).toString('hex'), apiToken: `fl_${randomBytes(20).toString('hex')}` };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

/**
 * `faultline stack`: the streaming service on one machine — the local Kafka broker (started here
 * unless one answers at KAFKA_BROKERS) and every service in this one process on embedded chDB.
 * Ctrl-C stops everything it started.
 */
export async function runStack(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, options: { state: { type: 'string' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const root = repoRoot();
  const stateDir = values.state ?? join(root, '.cache', 'stack');
  const credentials = localCredentials(stateDir);
  const base = loadConfig();
  const overrides: Record<string, string> = { CHDB_PATH: base.clickhouse.url ? base.clickhouse.chdbPath : join(stateDir, 'chdb') };
  if (base.projects.length === 0) overrides.FAULTLINE_PROJECTS = `${credentials.project}:${credentials.publicKey}`;
  if (base.api.tokens.length === 0) overrides.API_TOKENS = JSON.stringify([{ token: credentials.apiToken, scopes: ['read', 'write'], projects: ['*'] }]);
  const config = loadConfig(overrides);

  const broker = config.kafka.brokers[0];
  let stopBroker: (() => void) | null = null;
  if (!(await reachable(broker))) {
    const port = broker.split(':')[1];
    const kafkaDir = join(stateDir, 'kafka');
    process.stderr.write(`starting the local Kafka broker on ${broker}…\n`);
    execFileSync('bash', [join(root, 'deploy/kafka/kafka.sh'), 'start', '--port', port, '--dir', kafkaDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    stopBroker = () => execFileSync('bash', [join(root, 'deploy/kafka/kafka.sh'), 'stop', '--dir', kafkaDir], { stdio: 'inherit' });
  }

  const runtime = createRuntime(config, 'stack');
  const closers: Array<() => Promise<void>> = [];
  try {
    const clickhouse = await runtime.clickhouse();
    // Every service in this process, sharing one Runtime (one chDB directory), behind the API's port.
    const host = await hostServices(
      runtime,
      [
        NormalizerModule.register(runtime, reportNormalizerFor(config)),
        ClustererModule.register(runtime, new ClusteringEngine(clickhouse.client, config.clustering)),
        DetectorModule.register(runtime, clickhouse.client),
        AnalyzerModule.register(runtime, await clusterAnalyzerFor(runtime)),
        ApiModule.register(runtime),
      ],
      { ...config.api, needs: { clickhouse: true, kafka: true } },
    );
    closers.push(() => host.close());
    const publisher = KafkaReportPublisher.start({ kafka: runtime.kafka(), settings: config.kafka, logger: runtime.logger.child('gateway') });
    const gateway = await startGateway(config, { metrics: runtime.metrics, logger: runtime.logger.child('gateway'), publisher });
    closers.unshift(async () => {
      await gateway.close();
      await publisher.close();
    });

    const gatewayUrl = new URL(gateway.url.replace('[::1]', '127.0.0.1'));
    const lines = [
      'Faultline is running.',
      ...config.projects.map((p) => `  DSN (${p.id}):   ${gatewayUrl.protocol}//${p.publicKey}@${gatewayUrl.host}/${p.id}`),
      `  Gateway:        ${gatewayUrl.origin}`,
      `  API:            ${host.url}/api/v1 (OpenAPI: ${host.url}/api/v1/openapi.json)`,
      `  Metrics/health: ${host.url}/metrics, ${host.url}/health/ready`,
      overrides.API_TOKENS ? `  API token:      ${credentials.apiToken}` : null,
      'Press Ctrl-C to stop.',
    ].filter((l): l is string => l !== null);
    process.stdout.write(lines.join('\n') + '\n');

    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    process.stderr.write('stopping…\n');
    return EXIT.ok;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await runtime.close();
    stopBroker?.();
  }
}
