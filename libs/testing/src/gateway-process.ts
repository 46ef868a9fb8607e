import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { distRoot } from './paths';

export interface GatewayProcess {
  url: string;
  /** The app's structured log lines (stderr), for failure messages. */
  logs: string[];
  /** Sends a signal and resolves with the exit code; SIGKILL after 15 s so nothing outlives the test. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built gateway app with exactly this environment and waits for its "listening" line. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', join(distRoot(__dirname), 'apps', 'ingest-gateway', 'src', 'main.js')], {
    env: { ...env, LOG_LEVEL: 'info', GATEWAY_PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gateway did not start within 20 s:\n${logs.join('\n')}`)), 20_000);
      void exited.then((code) => reject(new Error(`the gateway exited with ${code}:\n${logs.join('\n')}`)));
      createInterface({ input: child.stderr! }).on('line', (line) => {
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'gateway listening' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not one of our JSON lines (e.g. a Node warning)
        }
      });
    });
    return { url, logs, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}
