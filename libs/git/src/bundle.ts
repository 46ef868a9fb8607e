import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Clones a git bundle (one file holding a whole repository, as the examples ship) into `dir`
 * and returns the checkout's path. Argument arrays only: the path is never interpreted by a shell.
 */
export async function cloneBundle(bundlePath: string, dir: string): Promise<string> {
  await run('git', ['clone', '--quiet', '--', bundlePath, dir], { timeout: 60_000 });
  return dir;
}
