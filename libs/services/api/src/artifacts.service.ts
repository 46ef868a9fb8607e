import { type ArtifactKind, type ArtifactRef, type ArtifactStore, normalizeDebugId, proguardUuid, validateArtifact } from '@faultline/symbolication';
import type { z } from 'zod';
import type { ArtifactView, UploadArtifactHeaders, UploadArtifactQuery } from './contracts';
import { ApiError } from './errors';

/**
 * The symbolication store port, plus a listing: both stores (local directory, in memory) have one;
 * the port itself holds only what the symbolicator needs.
 */
export interface ListableArtifactStore extends ArtifactStore {
  list(project: string): Promise<ArtifactRef[]> | ArtifactRef[];
}

/** What to store an upload as, from its parameters (before its body is read). */
export type ArtifactUpload =
  | { kind: 'sourcemap' | 'minified_source'; name: string }
  | { kind: 'proguard'; debugId: string | null };

/** `.map` → sourcemap; `.js`/`.mjs`/`.cjs` → minified_source; `.txt` (`mapping.txt`) → proguard; else null. */
export function inferKind(name: string): ArtifactKind | null {
  const path = name.split(/[?#]/)[0].toLowerCase();
  if (path.endsWith('.map')) return 'sourcemap';
  if (/\.[mc]?js$/.test(path)) return 'minified_source';
  if (path.endsWith('.txt')) return 'proguard';
  return null;
}

/** One parameter given as a query parameter, a header, or both when they agree. */
function either<T>(query: T | undefined, header: T | undefined, names: string): T | null {
  if (query !== undefined && header !== undefined && query !== header) {
    throw new ApiError('validation_failed', `${names} disagree: give one of them, or the same value`);
  }
  return query ?? header ?? null;
}

/** Reads the name, kind and debug ID of an upload from its query and headers, and checks they fit together. */
export function describeUpload(query: z.infer<typeof UploadArtifactQuery>, headers: z.infer<typeof UploadArtifactHeaders>): ArtifactUpload {
  const name = either(query.name, headers['x-faultline-artifact-name'], 'the name query parameter and the X-Faultline-Artifact-Name header');
  const debugId = either(query.debugId, headers['x-faultline-debug-id'], 'the debugId query parameter and the X-Faultline-Debug-Id header');
  const kind = either(query.kind, headers['x-faultline-artifact-kind'], 'the kind query parameter and the X-Faultline-Artifact-Kind header') ?? (name !== null ? inferKind(name) : null);
  if (kind === null) {
    throw new ApiError(
      'validation_failed',
      name === null
        ? 'name the artifact: pass `name`, the URL or path it is served under (e.g. ~/static/js/app.js.map), or `kind=proguard` for a mapping'
        : `cannot tell the kind of ${name} from its name: pass kind=sourcemap, minified_source or proguard`,
    );
  }
  switch (kind) {
    case 'sourcemap':
    case 'minified_source':
      if (name === null) throw new ApiError('validation_failed', `a ${kind} needs a name: the URL or path it is served under, e.g. ~/static/js/app.js.map`);
      if (debugId !== null) throw new ApiError('validation_failed', 'debugId is for ProGuard mappings: source maps and minified files carry theirs inside the file');
      return { kind, name };
    case 'proguard':
      return { kind, debugId: normalizeDebugId(debugId) };
  }
}

export function artifactView(ref: ArtifactRef, release: string): ArtifactView {
  return { name: ref.name, kind: ref.kind, debugId: ref.debugId, size: ref.size, release: ref.release ?? release };
}

/** Checks uploads (validateArtifact) and stores them through the ArtifactStore port the normalizer reads. */
export class ArtifactsService {
  constructor(
    private readonly store: ListableArtifactStore,
    /** ARTIFACT_MAX_BYTES: the largest upload. */
    readonly maxBytes: number,
  ) {}

  async upload(project: string, release: string, upload: ArtifactUpload, body: Uint8Array): Promise<ArtifactView> {
    const checked = validateArtifact(upload.kind, body, this.maxBytes);
    if (!checked.ok) throw new ApiError(body.byteLength > this.maxBytes ? 'payload_too_large' : 'invalid_artifact', checked.error);
    let ref: ArtifactRef;
    switch (upload.kind) {
      case 'sourcemap':
      case 'minified_source':
        ref = await this.store.put({ project, release, kind: upload.kind, name: upload.name, debugId: checked.value.debugId }, body);
        break;
      case 'proguard': {
        // Stored under its UUID, as Sentry does: two builds of one release (flavors) each uploading a
        // `mapping.txt` must not replace each other, nor leave one's UUID pointing at the other's file.
        const uuid = upload.debugId ?? checked.value.debugId ?? proguardUuid(body);
        ref = await this.store.put({ project, release, kind: 'proguard', name: uuid, debugId: uuid }, body);
        break;
      }
    }
    return artifactView(ref, release);
  }

  async list(project: string, release: string): Promise<ArtifactView[]> {
    const refs = await this.store.list(project);
    return refs
      .filter((ref) => ref.release === release)
      .map((ref) => artifactView(ref, release))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }
}
