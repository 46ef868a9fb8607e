import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under a folder, recursively, in a stable order, with its path relative to the folder. */
export function walkFiles(root: string, skipDir: (name: string) => boolean = () => false): Array<{ name: string; path: string }> {
  const out: Array<{ name: string; path: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipDir(entry.name)) walk(path);
      } else if (entry.isFile()) out.push({ name: relative(root, path), path });
    }
  };
  walk(root);
  return out;
}
