/**
 * `faultline stack` + `faultline send`, as a user runs them: the stack (every service in one
 * process, on the real broker and embedded chDB) receives the sample incident's crash files
 * through the gateway, and the API shows the same clusters `faultline analyze` finds offline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distRoot, expectEventually, repoRoot, testEnvironment } from '@faultline/testing';

const root = repoRoot(__dirname);
const cli = join(distRoot(__dirname), 'apps', 'cli', 'src', 'main.js');

interface ClusterRow {
  id: string;
  title: string;
  count: number;
}

describe('faultline stack + faultline send', () => {
  const { env, cleanup } = testEnvironment('stack');
  const state = mkdtempSync(join(tmpdir(), 'faultline-stack-'));
  let stack: ChildProcessWithoutNullStreams;
  let output = '';
  let dsn = '';
  let api = '';
  let token = '';

  before(async () => {
    stack = spawn(process.execPath, [cli, 'stack', '--state', state], {
      cwd: root,
      env: { ...process.env, ...env, GATEWAY_PORT: '0', API_PORT: '0', ARTIFACTS_DIR: join(state, 'artifacts'), BATCH_MAX_WAIT_MS: '200' },
    });
    stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expectEventually(() => assert.match(output, /Press Ctrl-C to stop/), { timeoutMs: 90_000, intervalMs: 100 });
    dsn = /DSN \(local\):\s+(\S+)/.exec(output)![1];
    api = /API:\s+(\S+)\/api\/v1/.exec(output)![1];
    token = /API token:\s+(\S+)/.exec(output)![1];
  });

  after(async () => {
    if (stack && stack.exitCode === null) {
      const exited = new Promise((resolve) => stack.once('exit', resolve));
      stack.kill('SIGINT');
      await exited;
    }
    rmSync(state, { recursive: true, force: true });
    cleanup();
  });

  it('prints a DSN, the API address and a token', () => {
    assert.match(dsn, /^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/local$/);
    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('shows through the API the clusters that faultline analyze finds for the same files', async () => {
    const sent = spawnSync(process.execPath, [cli, 'send', 'examples/incident/crashes', '--dsn', dsn], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(sent.status, 0, sent.stderr + sent.stdout);

    const out = mkdtempSync(join(tmpdir(), 'faultline-stack-analyze-'));
    let offline: Array<{ title: string; count: number }>;
    try {
      const analyzed = spawnSync(process.execPath, [cli, 'analyze', 'examples/incident/crashes', '--out', out, '--llm', 'off', '--project', 'local'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      assert.equal(analyzed.status, 0, analyzed.stderr);
      offline = (JSON.parse(readFileSync(join(out, 'clusters.json'), 'utf8')) as { clusters: Array<{ title: string; count: number }> }).clusters;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const expected = offline.map((c) => c.count).sort((a, b) => a - b);
    const total = expected.reduce((a, b) => a + b, 0);

    const online = await expectEventually(
      async () => {
        const response = await fetch(`${api}/api/v1/projects/local/clusters?limit=200&sort=count`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(response.status, 200, await response.clone().text());
        const body = (await response.json()) as { data: ClusterRow[] };
        assert.equal(body.data.reduce((n, c) => n + c.count, 0), total);
        return body.data;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.deepEqual(online.map((c) => c.count).sort((a, b) => a - b), expected);
    assert.deepEqual(online.map((c) => c.title).sort(), offline.map((c) => c.title).sort());
  });

  it('stops everything on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    stack.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
