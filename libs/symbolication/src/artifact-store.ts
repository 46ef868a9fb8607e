export const ARTIFACT_KINDS = ['sourcemap', 'minified_source', 'proguard'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export interface ArtifactRef {
  project: string;
  /** null: not tied to one release (looked up after the release-specific name). */
  release: string | null;
  kind: ArtifactKind;
  /** The URL or path the artifact serves, e.g. `~/static/js/app.js.map` (`~` = scheme and host). */
  name: string;
  /** Source map debug ID, or the ProGuard mapping UUID. Normalized with `normalizeDebugId`. */
  debugId: string | null;
  size: number;
}

/**
 * Where uploaded symbol files live: a port, so storage is pluggable (a local directory by default;
 * an S3-compatible bucket could implement the same four calls). Lookups are exact: the
 * symbolicator decides which names to try and in which order.
 */
export interface ArtifactStore {
  put(ref: Omit<ArtifactRef, 'size'>, body: Uint8Array): Promise<ArtifactRef>;
  findSourceMapByDebugId(project: string, debugId: string): Promise<Uint8Array | null>;
  findByName(project: string, release: string | null, kind: ArtifactKind, name: string): Promise<Uint8Array | null>;
  /** By `uuid` when one is given, otherwise the mapping last put for `release`. */
  findProguard(project: string, key: { uuid?: string | null; release?: string | null }): Promise<Uint8Array | null>;
}

/**
 * Debug IDs arrive as `UUID`, `uuid` or 32 bare hex digits (and Sentry may append `-<age>`); one
 * spelling makes them comparable. Returns null for an empty value.
 */
export function normalizeDebugId(id: string | null | undefined): string | null {
  if (id == null) return null;
  const trimmed = id.trim().toLowerCase();
  if (trimmed === '') return null;
  if (/^[0-9a-f]{32}$/.test(trimmed)) {
    return `${trimmed.slice(0, 8)}-${trimmed.slice(8, 12)}-${trimmed.slice(12, 16)}-${trimmed.slice(16, 20)}-${trimmed.slice(20)}`;
  }
  return trimmed;
}

export function withSize(ref: Omit<ArtifactRef, 'size'>, body: Uint8Array): ArtifactRef {
  return {
    project: ref.project,
    release: ref.release,
    kind: ref.kind,
    name: ref.name,
    debugId: normalizeDebugId(ref.debugId),
    size: body.byteLength,
  };
}

interface Stored {
  ref: ArtifactRef;
  body: Uint8Array;
}

const key = (...parts: Array<string | null>): string => JSON.stringify(parts);

/** For tests, the CLI and single-process demos. */
export class InMemoryArtifactStore implements ArtifactStore {
  private readonly byName = new Map<string, Stored>();
  private readonly byDebugId = new Map<string, Stored>();
  private readonly proguardByRelease = new Map<string, Stored>();

  async put(input: Omit<ArtifactRef, 'size'>, body: Uint8Array): Promise<ArtifactRef> {
    const ref = withSize(input, body);
    // A copy: the caller may reuse its buffer.
    const stored: Stored = { ref, body: body.slice() };
    this.byName.set(key(ref.project, ref.release, ref.kind, ref.name), stored);
    if (ref.debugId !== null && ref.kind !== 'minified_source') this.byDebugId.set(key(ref.project, ref.kind, ref.debugId), stored);
    if (ref.kind === 'proguard' && ref.release !== null) this.proguardByRelease.set(key(ref.project, ref.release), stored);
    return ref;
  }

  async findSourceMapByDebugId(project: string, debugId: string): Promise<Uint8Array | null> {
    const id = normalizeDebugId(debugId);
    if (id === null) return null;
    return this.byDebugId.get(key(project, 'sourcemap', id))?.body ?? null;
  }

  async findByName(project: string, release: string | null, kind: ArtifactKind, name: string): Promise<Uint8Array | null> {
    return this.byName.get(key(project, release, kind, name))?.body ?? null;
  }

  async findProguard(project: string, lookup: { uuid?: string | null; release?: string | null }): Promise<Uint8Array | null> {
    const uuid = normalizeDebugId(lookup.uuid);
    if (uuid !== null) return this.byDebugId.get(key(project, 'proguard', uuid))?.body ?? null;
    if (lookup.release != null) return this.proguardByRelease.get(key(project, lookup.release))?.body ?? null;
    return null;
  }

  /** Every stored artifact's reference, for listings and tests. */
  list(project: string): ArtifactRef[] {
    return [...this.byName.values()].filter((s) => s.ref.project === project).map((s) => s.ref);
  }
}
