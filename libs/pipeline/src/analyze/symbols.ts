import { readFileSync } from 'node:fs';
import { InMemoryArtifactStore, validateArtifact, type ArtifactKind } from '@faultline/symbolication';
import { walkFiles } from './files';

export interface SymbolLoadResult {
  store: InMemoryArtifactStore;
  loaded: number;
  rejected: Array<{ source: string; line: number | null; reason: string }>;
}

const MAX_SYMBOL_BYTES = 256 * 1024 * 1024;

function kindOf(name: string): ArtifactKind | null {
  if (/\.map$/i.test(name)) return 'sourcemap';
  if (/\.(m|c)?js$/i.test(name)) return 'minified_source';
  if (/\.txt$/i.test(name)) return 'proguard';
  return null;
}

/**
 * Loads a folder of source maps / minified files and a folder of ProGuard/R8 mappings into an
 * in-memory store, named `~/<path relative to the folder>` (Sentry's `~` = scheme and host), not
 * tied to a release: the symbolicator matches by debug id first, then by URL path tails.
 */
export async function loadSymbols(project: string, dirs: { sourcemaps?: string; mappings?: string }): Promise<SymbolLoadResult> {
  const store = new InMemoryArtifactStore();
  const rejected: SymbolLoadResult['rejected'] = [];
  let loaded = 0;
  for (const [dir, allowed] of [
    [dirs.sourcemaps, ['sourcemap', 'minified_source']],
    [dirs.mappings, ['proguard']],
  ] as const) {
    if (!dir) continue;
    for (const file of walkFiles(dir)) {
      const kind = kindOf(file.name);
      if (!kind || !(allowed as readonly string[]).includes(kind)) continue;
      const body = readFileSync(file.path);
      const validated = validateArtifact(kind, body, MAX_SYMBOL_BYTES);
      if (!validated.ok) {
        rejected.push({ source: file.name, line: null, reason: `symbol file refused: ${validated.error}` });
        continue;
      }
      await store.put({ project, release: null, kind, name: `~/${file.name}`, debugId: validated.value.debugId }, body);
      loaded += 1;
    }
  }
  return { store, loaded, rejected };
}
