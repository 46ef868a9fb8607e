import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface LocalBroker {
  /** host:port, for KAFKA_BROKERS. */
  brokers: string;
  /** Stops the broker (by the PID its script recorded) and removes its data. */
  stop: () => void;
}

/**
 * Starts the real Kafka broker of deploy/kafka/kafka.sh on two free ports in a row (the broker,
 * then its KRaft controller), with its data in a fresh temporary folder.
 */
export async function startLocalBroker(): Promise<LocalBroker> {
  let port = await freePort();
  while (!(await portFree(port + 1))) port = await freePort();
  const script = join(repoRoot(__dirname), 'deploy/kafka/kafka.sh');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kafka-'));
  const stop = () => {
    execFileSync('bash', [script, 'stop', '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(dir, { recursive: true, force: true });
  };
  let out: string;
  try {
    out = execFileSync('bash', [script, 'start', '--port', String(port), '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    stop();
    throw error;
  }
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(out)?.[1];
  if (!brokers) {
    stop();
    throw new Error(`the local broker did not report its address:\n${out}`);
  }
  return { brokers, stop };
}

function freePort(): Promise<number> {
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

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
