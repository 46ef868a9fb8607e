import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { computeFingerprint } from '@faultline/fingerprint';
import type { Frame } from '@faultline/schema';
import { InMemoryArtifactStore } from './artifact-store';
import { encode, makeEvent, makeFrame, parseV8Stack } from './spec-support';
import { Symbolicator } from './symbolicator';

const SOURCES: Record<string, string> = {
  'src/cart/pricing.js': `export function parsePrice(item) {
  if (typeof item.price !== 'number') {
    throw new TypeError(\`missing price for \${item.sku}\`);
  }
  return Math.round(item.price * 100);
}
`,
  'src/cart/total.js': `import { parsePrice } from './pricing.js';

export function computeTotal(items) {
  return items.reduce((sum, item) => sum + parsePrice(item), 0);
}
`,
  'src/checkout.js': `import { computeTotal } from './cart/total.js';

export class Checkout {
  constructor(items) {
    this.items = items;
  }

  submit() {
    const total = computeTotal(this.items);
    return { total };
  }
}
`,
  'src/app.js': `import { Checkout } from './checkout.js';

function runCheckout(items) {
  const checkout = new Checkout(items);
  return checkout.submit();
}

runCheckout([{ sku: 'a', price: 1 }, { sku: 'b' }]);
`,
  // Injected into the second build only: more top-level bindings shift every minified name.
  'src/extra.js': `export function warmUp(a, b, c) { return [a, b, c].map((x) => x * 2).join(','); }
export function noise(value) { return warmUp(value, value + 1, value + 2); }
globalThis.__noise = noise(1) + warmUp(4, 5, 6);
`,
};

const CDN = 'https://cdn.example.com/static/js/';

interface Build {
  js: string;
  map: string;
  fileName: string;
  url: string;
  frames: Frame[];
}

let workDir = '';

function build(variant: 1 | 2): Build {
  const result = buildSync({
    absWorkingDir: workDir,
    entryPoints: [join(workDir, 'src/app.js')],
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: true,
    format: 'iife',
    outdir: join(workDir, `dist${variant}`),
    entryNames: variant === 1 ? '[name].[hash]' : 'bundle-[name].[hash]',
    inject: variant === 2 ? [join(workDir, 'src/extra.js')] : [],
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  assert.ok(js && map);
  const fileName = basename(js.path);
  const url = CDN + fileName;
  let stack = '';
  try {
    runInNewContext(js.text, {}, { filename: url });
  } catch (error) {
    stack = String((error as { stack?: unknown }).stack);
  }
  assert.match(stack, /missing price for b/);
  // Only the bundle's frames: the rest is the test runner calling into the VM.
  const frames = parseV8Stack(stack).filter((f) => f.file === null || f.file.startsWith(CDN) || f.file === '<anonymous>');
  return { js: js.text, map: map.text, fileName, url, frames };
}

function resolvedTriples(frames: Frame[]): Array<[string | null, string | null, number | null]> {
  return frames.filter((f) => f.symbolication?.status === 'resolved').map((f) => [f.function, f.file, f.line]);
}

describe('Symbolicator: JavaScript through esbuild source maps', () => {
  let one: Build;
  let two: Build;

  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'faultline-sym-'));
    for (const [path, text] of Object.entries(SOURCES)) {
      mkdirSync(dirname(join(workDir, path)), { recursive: true });
      writeFileSync(join(workDir, path), text);
    }
    one = build(1);
    two = build(2);
  });

  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('the two builds really differ: file names and minified identifiers', () => {
    assert.notEqual(one.fileName, two.fileName);
    const names = (b: Build) => b.frames.filter((f) => f.file !== '<anonymous>').map((f) => f.function);
    assert.notDeepEqual(names(one), names(two));
  });

  it('resolves a real V8 stack to the original functions, files, lines and source context', async () => {
    const store = new InMemoryArtifactStore();
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${one.fileName}.map`, debugId: null }, encode(one.map));
    const symbolicator = new Symbolicator(store);
    const event = makeEvent({ frames: one.frames });
    const out = await symbolicator.symbolicate(event);
    const frames = out.exceptions[0].frames;

    const triples = resolvedTriples(frames);
    // Crashing frame last; the callback between computeTotal and parsePrice is anonymous.
    assert.deepEqual(triples.slice(-5), [
      ['runCheckout', 'src/app.js', 5],
      ['Checkout.submit', 'src/checkout.js', 9],
      ['computeTotal', 'src/cart/total.js', 4],
      [null, 'src/cart/total.js', 4],
      ['parsePrice', 'src/cart/pricing.js', 3],
    ]);
    const crash = frames.at(-1) as Frame;
    assert.equal(crash.column, 11);
    assert.equal(crash.contextLine, '    throw new TypeError(`missing price for ${item.sku}`);');
    assert.deepEqual(crash.preContext, ['export function parsePrice(item) {', "  if (typeof item.price !== 'number') {"]);
    assert.deepEqual(crash.postContext?.slice(0, 2), ['  }', '  return Math.round(item.price * 100);']);
    assert.equal(crash.inApp, true);
    assert.deepEqual(crash.symbolication, { status: 'resolved', via: 'sourcemap', artifact: `~/static/js/${one.fileName}.map` });
    assert.equal(crash.original?.file, one.url);
    assert.equal(crash.original?.line, 1);
    // The native frame in between needed no resolution, so it carries no verdict.
    const native = frames.find((f) => f.file === '<anonymous>');
    assert.ok(native);
    assert.equal(native.symbolication, undefined);
    // The input event is not modified.
    assert.equal(event.exceptions[0].frames.at(-1)?.file, one.url);
  });

  it('gives identical resolved (function, file, line) lists for two differently minified builds', async () => {
    const store = new InMemoryArtifactStore();
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${one.fileName}.map`, debugId: null }, encode(one.map));
    // Build two: the minified file is uploaded and its sourceMappingURL (pointing elsewhere) is followed.
    // `sourcemap: 'external'` writes no comment, so the test adds one.
    assert.doesNotMatch(two.js, /sourceMappingURL/);
    const relocated = `${two.js}//# sourceMappingURL=../maps/${two.fileName}.map\n`;
    await store.put({ project: 'web', release: '1.0.0', kind: 'minified_source', name: `~/static/js/${two.fileName}`, debugId: null }, encode(relocated));
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/maps/${two.fileName}.map`, debugId: null }, encode(two.map));
    const symbolicator = new Symbolicator(store);

    const a = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    const b = await symbolicator.symbolicate(makeEvent({ frames: two.frames }));
    const ta = resolvedTriples(a.exceptions[0].frames);
    const tb = resolvedTriples(b.exceptions[0].frames);
    assert.ok(ta.length >= 5);
    assert.deepEqual(tb, ta);
    assert.equal(b.exceptions[0].frames.at(-1)?.symbolication?.status, 'resolved');
    assert.deepEqual(b.exceptions[0].frames.at(-1)?.symbolication, { status: 'resolved', via: 'sourcemap', artifact: `~/static/maps/${two.fileName}.map` });
    // Grouping runs on resolved frames: the two builds are one issue, where their minified frames were two.
    assert.notEqual(computeFingerprint(makeEvent({ frames: one.frames })).fingerprint, computeFingerprint(makeEvent({ frames: two.frames })).fingerprint);
    assert.equal(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
  });

  it('matches by debug ID from the event’s debug images, whatever the map was uploaded as', async () => {
    const debugId = 'C0FFEE00-1234-4abc-8def-0123456789AB';
    const store = new InMemoryArtifactStore();
    const map = { ...(JSON.parse(one.map) as object), debugId };
    await store.put({ project: 'web', release: null, kind: 'sourcemap', name: 'uploads/unrelated-name.map', debugId }, encode(JSON.stringify(map)));
    const symbolicator = new Symbolicator(store);
    const out = await symbolicator.symbolicate(
      makeEvent({ release: '9.9.9', frames: one.frames, debugImages: [{ type: 'sourcemap', codeFile: one.url, debugId: debugId.replace(/-/g, '') }] }),
    );
    const crash = out.exceptions[0].frames.at(-1) as Frame;
    assert.equal(crash.function, 'parsePrice');
    assert.equal(crash.file, 'src/cart/pricing.js');
    assert.deepEqual(crash.symbolication, { status: 'resolved', via: 'sourcemap', artifact: `debug-id:${debugId.toLowerCase()}` });
  });

  it('follows `//# debugId=` in an uploaded minified file when the event names no debug image', async () => {
    const debugId = '0b1e5c7a-aaaa-4bbb-8ccc-ddddeeeeffff';
    const store = new InMemoryArtifactStore();
    const minified = `${one.js}//# debugId=${debugId}\n`;
    await store.put({ project: 'web', release: '1.0.0', kind: 'minified_source', name: `~/static/js/${one.fileName}`, debugId: null }, encode(minified));
    await store.put({ project: 'web', release: null, kind: 'sourcemap', name: 'by-id-only.map', debugId }, encode(JSON.stringify({ ...(JSON.parse(one.map) as object), debug_id: debugId })));
    const out = await new Symbolicator(store).symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(out.exceptions[0].frames.at(-1)?.function, 'parsePrice');
    assert.deepEqual(out.exceptions[0].frames.at(-1)?.symbolication, { status: 'resolved', via: 'sourcemap', artifact: `debug-id:${debugId}` });
  });

  it('reads an inline data: URL map from an uploaded minified file, and is idempotent', async () => {
    const store = new InMemoryArtifactStore();
    const inline = `${one.js}//# sourceMappingURL=data:application/json;base64,${Buffer.from(one.map).toString('base64')}\n`;
    await store.put({ project: 'web', release: null, kind: 'minified_source', name: `~/static/js/${one.fileName}`, debugId: null }, encode(inline));
    const symbolicator = new Symbolicator(store);
    const once = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(once.exceptions[0].frames.at(-1)?.function, 'parsePrice');
    assert.equal(once.exceptions[0].frames.at(-1)?.symbolication?.status, 'resolved');
    const twice = await symbolicator.symbolicate(once);
    assert.deepEqual(twice.exceptions, once.exceptions);
  });

  it('applies URL prefix rewrites before looking up names', async () => {
    const store = new InMemoryArtifactStore();
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/assets/${one.fileName}.map`, debugId: null }, encode(one.map));
    const without = await new Symbolicator(store).symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(without.exceptions[0].frames.at(-1)?.symbolication?.status, 'unresolved');
    const withRewrite = await new Symbolicator(store, { urlPrefixRewrites: [{ from: CDN, to: '~/assets/' }] }).symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(withRewrite.exceptions[0].frames.at(-1)?.function, 'parsePrice');
  });

  it('says why a frame stayed minified: malformed_map, no_artifact, out_of_range, no_position', async () => {
    const store = new InMemoryArtifactStore();
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: '~/static/js/broken.js.map', debugId: null }, encode('{"version":3,"sources":["a.js"'));
    await store.put(
      { project: 'web', release: '1.0.0', kind: 'sourcemap', name: '~/static/js/bad-vlq.js.map', debugId: null },
      encode(JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAA,#$%!' })),
    );
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${one.fileName}.map`, debugId: null }, encode(one.map));
    const frames = [
      makeFrame({ function: 'a', file: `${CDN}broken.js`, line: 1, column: 10 }),
      makeFrame({ function: 'b', file: `${CDN}bad-vlq.js`, line: 1, column: 1 }),
      makeFrame({ function: 'c', file: `${CDN}missing.js`, line: 1, column: 10 }),
      makeFrame({ function: 'd', file: one.url, line: 999, column: 1 }),
      makeFrame({ function: 'e', file: one.url, line: null, column: null }),
      makeFrame({ function: 'internal', file: 'node:internal/process/task_queues', line: 95, column: 5 }),
    ];
    const out = await new Symbolicator(store).symbolicate(makeEvent({ frames }));
    const got = out.exceptions[0].frames;
    assert.deepEqual(
      got.map((f) => f.symbolication),
      [
        { status: 'unresolved', reason: 'malformed_map' },
        { status: 'unresolved', reason: 'malformed_map' },
        { status: 'unresolved', reason: 'no_artifact' },
        { status: 'unresolved', reason: 'out_of_range' },
        { status: 'unresolved', reason: 'no_position' },
        undefined,
      ],
    );
    // Unresolved frames keep their values.
    assert.deepEqual(
      got.map((f) => [f.function, f.file, f.line]),
      frames.map((f) => [f.function, f.file, f.line]),
    );
  });

  it('remembers a missing artifact for a while, then picks up a late upload', async () => {
    let now = 1_000;
    const store = new InMemoryArtifactStore();
    const symbolicator = new Symbolicator(store, { negativeCacheTtlMs: 500, now: () => now });
    const first = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(first.exceptions[0].frames.at(-1)?.symbolication?.status, 'unresolved');
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${one.fileName}.map`, debugId: null }, encode(one.map));
    const stillMissing = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(stillMissing.exceptions[0].frames.at(-1)?.symbolication?.status, 'unresolved');
    now += 501;
    const late = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(late.exceptions[0].frames.at(-1)?.function, 'parsePrice');
  });

  it('keeps parsed maps in an LRU bounded by bytes', async () => {
    const store = new InMemoryArtifactStore();
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${one.fileName}.map`, debugId: null }, encode(one.map));
    await store.put({ project: 'web', release: '1.0.0', kind: 'sourcemap', name: `~/static/js/${two.fileName}.map`, debugId: null }, encode(two.map));
    const bound = Math.max(encode(one.map).byteLength, encode(two.map).byteLength) + 10;
    const symbolicator = new Symbolicator(store, { cacheMaxBytes: bound });

    await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.deepEqual(symbolicator.stats(), { cacheBytes: encode(one.map).byteLength, cacheEntries: 1, hits: 1, misses: 1 });

    await symbolicator.symbolicate(makeEvent({ frames: two.frames }));
    let stats = symbolicator.stats();
    assert.equal(stats.cacheEntries, 1, 'the first map was evicted to make room');
    assert.equal(stats.cacheBytes, encode(two.map).byteLength);
    assert.ok(stats.cacheBytes <= bound);

    const again = await symbolicator.symbolicate(makeEvent({ frames: one.frames }));
    assert.equal(again.exceptions[0].frames.at(-1)?.function, 'parsePrice');
    stats = symbolicator.stats();
    assert.equal(stats.misses, 3, 'the evicted map was fetched and parsed again');
  });
});
