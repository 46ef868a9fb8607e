/**
 * docker-compose.yml for users with Docker: validated by `docker compose config` where the
 * compose client is installed (no engine needed), and structurally everywhere.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@faultline/testing';

const root = repoRoot(__dirname);
// merge: compose files use YAML merge keys (<<) for the shared service settings.
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
};

describe('docker-compose.yml', () => {
  it('wires Kafka, ClickHouse, every Faultline service, Grafana and Prometheus', () => {
    const services = Object.keys(compose.services).sort();
    assert.deepEqual(services, ['analyzer', 'api', 'clickhouse', 'clusterer', 'detector', 'grafana', 'ingest-gateway', 'kafka', 'normalizer', 'prometheus'].sort());
    for (const app of ['ingest-gateway', 'normalizer', 'clusterer', 'detector', 'analyzer', 'api']) {
      const main = compose.services[app].command?.find((part) => part.endsWith('main.js'));
      assert.equal(main, `dist/apps/${app}/src/main.js`, `${app} runs its app`);
      assert.ok(existsSync(join(root, 'apps', app, 'src', 'main.ts')), `${app} exists`);
      assert.equal(compose.services[app].environment?.CLICKHOUSE_URL, 'http://clickhouse:8123');
    }
    assert.ok(compose.services.grafana.volumes?.some((v) => v.startsWith('./deploy/grafana/dashboards')));
    assert.ok(compose.services.prometheus.volumes?.some((v) => v.startsWith('./deploy/prometheus')));
  });

  it('passes `docker compose config` where the compose client is installed', (t) => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      t.diagnostic('docker compose is not installed here; structure checked above only');
      return;
    }
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
});
