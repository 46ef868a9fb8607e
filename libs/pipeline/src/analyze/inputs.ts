import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { walkFiles } from './files';

export interface InputFile {
  /** The path relative to the analyzed folder (a lone file: its name): text record ids use it. */
  name: string;
  path: string;
  size: number;
}

/** Files a crash folder holds that are not crash reports. */
const SKIPPED = /(^|\/)(\.git|node_modules|\.DS_Store)(\/|$)|\.(map|png|jpe?g|gif|zip|gz|tgz|bundle|sh)$/i;

/** Every crash file under the given files and folders, recursively, in a stable order. */
export function collectInputFiles(paths: string[], exclude: string[] = []): InputFile[] {
  const excluded = exclude.map((p) => resolve(p));
  const files: InputFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, name: string) => {
    const absolute = resolve(path);
    if (seen.has(absolute) || SKIPPED.test(name) || basename(name) === MANIFEST) return;
    if (excluded.some((dir) => absolute === dir || absolute.startsWith(dir + '/'))) return;
    seen.add(absolute);
    files.push({ name, path: absolute, size: statSync(absolute).size });
  };
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const file of walkFiles(path, (dir) => SKIPPED.test(dir))) add(file.path, file.name);
    } else add(path, basename(path));
  }
  return files;
}

export const MANIFEST = 'faultline.json';

/**
 * An incident folder may carry a `faultline.json` naming its symbol files, deploys and repository,
 * so `faultline analyze <folder>` needs no flags. Paths are relative to the folder.
 */
export const IncidentManifest = z.object({
  project: z.string().optional(),
  crashes: z.array(z.string()).optional(),
  sourcemaps: z.string().optional(),
  mappings: z.string().optional(),
  deploys: z.string().optional(),
  repo: z.string().optional(),
});
export type IncidentManifest = z.infer<typeof IncidentManifest>;

export function readManifest(folder: string): (IncidentManifest & { folder: string }) | null {
  const path = join(folder, MANIFEST);
  if (!existsSync(path)) return null;
  const manifest = IncidentManifest.parse(JSON.parse(readFileSync(path, 'utf8')));
  const at = (p: string | undefined) => (p === undefined ? undefined : resolve(folder, p));
  return {
    folder,
    project: manifest.project,
    crashes: manifest.crashes?.map((c) => resolve(folder, c)),
    sourcemaps: at(manifest.sourcemaps),
    mappings: at(manifest.mappings),
    deploys: at(manifest.deploys),
    repo: at(manifest.repo),
  };
}

