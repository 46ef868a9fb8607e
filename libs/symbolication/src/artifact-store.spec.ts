import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type ArtifactStore, InMemoryArtifactStore, normalizeDebugId } from './artifact-store';
import { LocalDirectoryArtifactStore } from './local-artifact-store';
import { encode } from './spec-support';

const decode = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function roundTrip(store: ArtifactStore): Promise<void> {
  const ref = await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: '~/static/app.js.map', debugId: 'AABBCCDDEEFF00112233445566778899' }, encode('{"map":1}'));
  assert.deepEqual(ref, { project: 'web', release: '1.0.0', kind: 'sourcemap', name: '~/static/app.js.map', debugId: 'aabbccdd-eeff-0011-2233-445566778899', size: 9 });
  await store.put({ project: 'web', release: null, kind: 'sourcemap', name: '~/static/app.js.map', debugId: null }, encode('{"map":"no release"}'));
  await store.put({ project: 'web', release: '1.0.0', kind: 'minified_source', name: '~/static/app.js', debugId: null }, encode('x()'));
  await store.put({ project: 'android', release: '2.0', kind: 'proguard', name: 'mapping.txt', debugId: '1111-uuid' }, encode('a -> b:'));
  await store.put({ project: 'android', release: '2.0', kind: 'proguard', name: 'mapping-2.txt', debugId: '2222-uuid' }, encode('c -> d:'));

  assert.equal(decode(await store.findByName('web', '1.0.0', 'sourcemap', '~/static/app.js.map')), '{"map":1}');
  assert.equal(decode(await store.findByName('web', null, 'sourcemap', '~/static/app.js.map')), '{"map":"no release"}');
  assert.equal(decode(await store.findByName('web', '1.0.0', 'minified_source', '~/static/app.js')), 'x()');
  assert.equal(await store.findByName('web', '1.0.1', 'sourcemap', '~/static/app.js.map'), null);
  assert.equal(await store.findByName('other', '1.0.0', 'sourcemap', '~/static/app.js.map'), null);
  assert.equal(await store.findByName('web', '1.0.0', 'minified_source', '~/static/app.js.map'), null);
  assert.equal(decode(await store.findSourceMapByDebugId('web', 'aabbccddeeff00112233445566778899')), '{"map":1}');
  assert.equal(decode(await store.findSourceMapByDebugId('web', 'AABBCCDD-EEFF-0011-2233-445566778899')), '{"map":1}');
  assert.equal(await store.findSourceMapByDebugId('android', 'aabbccddeeff00112233445566778899'), null);
  assert.equal(decode(await store.findProguard('android', { uuid: '1111-UUID' })), 'a -> b:');
  assert.equal(decode(await store.findProguard('android', { release: '2.0' })), 'c -> d:', 'the last mapping put for a release wins');
  assert.equal(await store.findProguard('android', { uuid: 'nope', release: '2.0' }), null, 'a uuid lookup does not fall back');
  assert.equal(await store.findProguard('android', {}), null);
}

describe('InMemoryArtifactStore', () => {
  it('stores and finds artifacts by name, release, debug ID and mapping UUID', async () => {
    await roundTrip(new InMemoryArtifactStore());
  });
});

describe('LocalDirectoryArtifactStore', () => {
  const base = mkdtempSync(join(tmpdir(), 'faultline-artifacts-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('round-trips through a directory, and a second instance reads what the first wrote', async () => {
    const root = join(base, 'rt');
    await roundTrip(new LocalDirectoryArtifactStore(root));
    const reopened = new LocalDirectoryArtifactStore(root);
    assert.equal(decode(await reopened.findByName('web', '1.0.0', 'sourcemap', '~/static/app.js.map')), '{"map":1}');
    const listed = await reopened.list('web');
    assert.equal(listed.length, 3);
    assert.ok(listed.every((r) => r.project === 'web'));
    // Nothing half-written is left behind.
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });

  it('keeps a path-traversal name inside the root: every file name is a hash', async () => {
    const root = join(base, 'jail', 'root');
    const store = new LocalDirectoryArtifactStore(root);
    const evil = ['../../escaped.map', '/etc/passwd', '..\\..\\win.map', '~/../../x.js.map'];
    for (const name of evil) await store.put({ project: '../p', release: '../../r', kind: 'sourcemap', name, debugId: '../../id' }, encode(name));
    for (const name of evil) assert.equal(decode(await store.findByName('../p', '../../r', 'sourcemap', name)), name);
    assert.deepEqual(readdirSync(join(base, 'jail')), ['root']);
    for (const file of listFiles(root)) {
      assert.ok(!relative(root, file).startsWith('..'));
      assert.match(relative(root, file), /^(objects|debug-ids|releases)\/[0-9a-f]{64}\.(bin|json)$/);
    }
  });

  it('finds nothing in a directory that does not exist yet', async () => {
    const store = new LocalDirectoryArtifactStore(join(base, 'never-created'));
    assert.equal(await store.findByName('web', null, 'sourcemap', 'x.map'), null);
    assert.equal(await store.findSourceMapByDebugId('web', 'abc'), null);
    assert.equal(await store.findProguard('web', { release: '1' }), null);
    assert.deepEqual(await store.list('web'), []);
  });
});

describe('normalizeDebugId', () => {
  it('lowercases, adds dashes to bare hex, and treats empty as null', () => {
    assert.equal(normalizeDebugId('C0FFEE00123440AB8DEF0123456789AB'), 'c0ffee00-1234-40ab-8def-0123456789ab');
    assert.equal(normalizeDebugId(' C0FFEE00-1234-40AB-8DEF-0123456789AB-1a '), 'c0ffee00-1234-40ab-8def-0123456789ab-1a');
    assert.equal(normalizeDebugId(''), null);
    assert.equal(normalizeDebugId(null), null);
  });
});
