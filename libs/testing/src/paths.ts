import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above `from` that holds deploy/kafka/kafka.sh. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'deploy', 'kafka', 'kafka.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

/** The compiled tree this test runs from (dist/ or a --out build): where the apps' main.js files are. */
export function distRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'apps', 'cli', 'src', 'main.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no compiled tree above ${from}`);
  }
}
