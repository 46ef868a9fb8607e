import type { ProjectConfig } from '@faultline/config';
import type { StoredProjectRow } from '@faultline/clickhouse';
import type { Project } from './contracts';

/** `http://<publicKey>@<gateway host>/<project>`: the gateway's public URL with the key as user. */
export function dsnOf(publicUrl: string, publicKey: string, project: string): string {
  const url = new URL(publicUrl);
  url.username = encodeURIComponent(publicKey);
  url.password = '';
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(project)}`;
  return url.toString();
}

/**
 * Projects from config (`FAULTLINE_PROJECTS`) and from the `projects` table; config wins on the
 * same id. The table is re-read at most every `ttlMs`, so an authorization check costs no query.
 */
export class ProjectDirectory {
  private cached: { at: number; projects: Map<string, Project> } | null = null;

  constructor(
    private readonly configured: readonly ProjectConfig[],
    private readonly publicUrl: string,
    private readonly stored: () => Promise<StoredProjectRow[]>,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Project[]> {
    return [...(await this.load()).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(id: string): Promise<Project | null> {
    return (await this.load()).get(id) ?? null;
  }

  private async load(): Promise<Map<string, Project>> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.projects;
    const projects = new Map<string, Project>();
    for (const row of await this.stored()) {
      projects.set(row.id, { id: row.id, name: row.name || row.id, dsn: dsnOf(this.publicUrl, row.publicKey, row.id), source: 'store' });
    }
    for (const p of this.configured) {
      projects.set(p.id, { id: p.id, name: p.name ?? p.id, dsn: dsnOf(this.publicUrl, p.publicKey, p.id), source: 'config' });
    }
    this.cached = { at: this.now(), projects };
    return projects;
  }
}
