import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactKind, type ArtifactRef, type ArtifactStore, normalizeDebugId, withSize } from './artifact-store';

/**
 * Artifacts in a local directory. Every file name is a SHA-256 of the lookup key, so an uploaded
 * name such as `../../etc/passwd` never becomes part of a path:
 *
 *   <root>/objects/<h>.bin    the artifact's bytes     h = hash(project, release, kind, name)
 *   <root>/objects/<h>.json   its ArtifactRef
 *   <root>/debug-ids/<d>.json {"object": h}           d = hash(project, kind, debugId)
 *   <root>/releases/<r>.json  {"object": h}           r = hash(project, release): the latest ProGuard mapping
 *
 * Writes go to a temporary file first and are renamed into place, so a reader never sees half a file.
 * The last put of a name wins.
 */
export class LocalDirectoryArtifactStore implements ArtifactStore {
  private ready: Promise<void> | null = null;

  constructor(readonly rootDir: string) {}

  async put(input: Omit<ArtifactRef, 'size'>, body: Uint8Array): Promise<ArtifactRef> {
    await this.ensureDirs();
    const ref = withSize(input, body);
    const object = objectHash(ref.project, ref.release, ref.kind, ref.name);
    await this.writeAtomic(join('objects', `${object}.bin`), body);
    await this.writeAtomic(join('objects', `${object}.json`), JSON.stringify(ref));
    if (ref.debugId !== null && ref.kind !== 'minified_source') {
      await this.writeAtomic(join('debug-ids', `${hash(['debug-id', ref.project, ref.kind, ref.debugId])}.json`), JSON.stringify({ object }));
    }
    if (ref.kind === 'proguard' && ref.release !== null) {
      await this.writeAtomic(join('releases', `${hash(['proguard-release', ref.project, ref.release])}.json`), JSON.stringify({ object }));
    }
    return ref;
  }

  async findSourceMapByDebugId(project: string, debugId: string): Promise<Uint8Array | null> {
    const id = normalizeDebugId(debugId);
    if (id === null) return null;
    return this.follow(join('debug-ids', `${hash(['debug-id', project, 'sourcemap', id])}.json`));
  }

  async findByName(project: string, release: string | null, kind: ArtifactKind, name: string): Promise<Uint8Array | null> {
    return this.readOrNull(join('objects', `${objectHash(project, release, kind, name)}.bin`));
  }

  async findProguard(project: string, lookup: { uuid?: string | null; release?: string | null }): Promise<Uint8Array | null> {
    const uuid = normalizeDebugId(lookup.uuid);
    if (uuid !== null) return this.follow(join('debug-ids', `${hash(['debug-id', project, 'proguard', uuid])}.json`));
    if (lookup.release != null) return this.follow(join('releases', `${hash(['proguard-release', project, lookup.release])}.json`));
    return null;
  }

  /** Every stored artifact's reference for one project (reads each meta file: for listings, not hot paths). */
  async list(project: string): Promise<ArtifactRef[]> {
    let names: string[];
    try {
      names = await readdir(join(this.rootDir, 'objects'));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const refs: ArtifactRef[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const meta = await this.readOrNull(join('objects', name));
      if (meta === null) continue;
      const ref = JSON.parse(Buffer.from(meta).toString('utf8')) as ArtifactRef;
      if (ref.project === project) refs.push(ref);
    }
    return refs;
  }

  private async follow(pointerPath: string): Promise<Uint8Array | null> {
    const pointer = await this.readOrNull(pointerPath);
    if (pointer === null) return null;
    const { object } = JSON.parse(Buffer.from(pointer).toString('utf8')) as { object: unknown };
    // The pointer is our own file, but a name built from it must still be a bare hash.
    if (typeof object !== 'string' || !/^[0-9a-f]{64}$/.test(object)) throw new Error(`corrupt artifact index file ${pointerPath}`);
    return this.readOrNull(join('objects', `${object}.bin`));
  }

  /** Missing means null; any other failure (permissions, I/O) is thrown, not mistaken for "no artifact". */
  private async readOrNull(relativePath: string): Promise<Uint8Array | null> {
    try {
      const buffer = await readFile(join(this.rootDir, relativePath));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async writeAtomic(relativePath: string, data: Uint8Array | string): Promise<void> {
    const target = join(this.rootDir, relativePath);
    const temp = join(this.rootDir, 'tmp', `${randomBytes(8).toString('hex')}.part`);
    try {
      await writeFile(temp, data);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  private ensureDirs(): Promise<void> {
    this.ready ??= (async () => {
      for (const dir of ['objects', 'debug-ids', 'releases', 'tmp']) await mkdir(join(this.rootDir, dir), { recursive: true });
    })().catch((error: unknown) => {
      // Let the next put try again (the directory may be mounted later).
      this.ready = null;
      throw error;
    });
    return this.ready;
  }
}

function objectHash(project: string, release: string | null, kind: ArtifactKind, name: string): string {
  return hash(['object', project, release, kind, name]);
}

function hash(parts: Array<string | null>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
