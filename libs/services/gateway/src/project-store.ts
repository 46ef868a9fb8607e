import type { ProjectConfig } from '@faultline/config';
import { sha256 } from './auth';

export interface Project {
  id: string;
  name: string;
  /** The DSN public key: not a secret from users' browsers, but the only thing that admits data. */
  publicKey: string;
}

/**
 * Where ingest keys live. Asynchronous so that a ClickHouse-backed store (the `projects`
 * table, ReplacingMergeTree by version) can implement it, behind a short-lived cache so that
 * a request costs no query; the config-backed one below is the first implementation.
 */
export interface ProjectStore {
  findByKey(publicKey: string): Promise<Project | null>;
  get(id: string): Promise<Project | null>;
}

/** Projects from `FAULTLINE_PROJECTS`: fixed for the life of the process. */
export class ConfigProjectStore implements ProjectStore {
  private readonly byId = new Map<string, Project>();
  /** Keyed by the SHA-256 of the public key: a lookup reveals nothing through timing about the key itself. */
  private readonly byKeyHash = new Map<string, Project>();

  constructor(projects: readonly ProjectConfig[]) {
    for (const p of projects) {
      const project: Project = { id: p.id, name: p.name ?? p.id, publicKey: p.publicKey };
      this.byId.set(project.id, project);
      this.byKeyHash.set(sha256(project.publicKey).toString('hex'), project);
    }
  }

  findByKey(publicKey: string): Promise<Project | null> {
    return Promise.resolve(this.byKeyHash.get(sha256(publicKey).toString('hex')) ?? null);
  }

  get(id: string): Promise<Project | null> {
    return Promise.resolve(this.byId.get(id) ?? null);
  }
}
