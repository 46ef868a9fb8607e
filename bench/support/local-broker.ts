import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@faultline/testing';

function freePortPair(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The broker benchmarks use: KAFKA_BROKERS when given, else a local one started (and stopped) here. */
export async function benchBroker(given: string | undefined): Promise<{ brokers: string; stop: () => void }> {
  if (given) return { brokers: given, stop: () => undefined };
  const root = repoRoot(__dirname);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-kafka-'));
  const port = await freePortPair();
  const script = join(root, 'deploy/kafka/kafka.sh');
  const out = execFileSync('bash', [script, 'start', '--port', String(port), '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(out)?.[1];
  const stop = () => {
    execFileSync('bash', [script, 'stop', '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(dir, { recursive: true, force: true });
  };
  if (!brokers) {
    stop();
    throw new Error(`the local broker did not start:\n${out}`);
  }
  return { brokers, stop };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
