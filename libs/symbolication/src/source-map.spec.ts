import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDataUrl, normalizeSourcePath, parseSourceMap, readMinifiedTail } from './source-map';
import { encode } from './spec-support';

describe('normalizeSourcePath', () => {
  it('drops bundler prefixes, namespaces, ../ noise and query strings', () => {
    assert.equal(normalizeSourcePath('webpack://my-app/./src/index.ts'), 'src/index.ts');
    assert.equal(normalizeSourcePath('webpack:///./src/App.vue?3f2a'), 'src/App.vue');
    assert.equal(normalizeSourcePath('webpack:///node_modules/react-dom/cjs/react-dom.js'), 'node_modules/react-dom/cjs/react-dom.js');
    assert.equal(normalizeSourcePath('../../src/cart/total.js'), 'src/cart/total.js');
    assert.equal(normalizeSourcePath('src/../lib/./x.js'), 'lib/x.js');
    assert.equal(normalizeSourcePath('file:///home/me/app/x.ts'), '/home/me/app/x.ts');
    assert.equal(normalizeSourcePath('https://cdn.example.com/src/x.js'), 'https://cdn.example.com/src/x.js');
    assert.equal(normalizeSourcePath('x.js', 'webpack://app/./src/'), 'src/x.js');
  });
});

describe('parseSourceMap', () => {
  const map = { version: 3, sources: ['webpack://app/./src/a.js', 'webpack://app/./node_modules/lib/index.js'], sourcesContent: ['line1\nfunction named() {\n  boom();\n}\n', null], names: ['boom'], mappings: 'AAAA,MACE,KAAAA;ACDF' };

  it('looks positions up (1-based lines and columns) and reports names only at exact columns', () => {
    const parsed = parseSourceMap(encode(JSON.stringify(map)));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.map.lookup(1, 7), { status: 'ok', sourceIndex: 0, line: 2, column: 3, name: null });
    assert.deepEqual(parsed.map.lookup(1, 12), { status: 'ok', sourceIndex: 0, line: 2, column: 3, name: 'boom' });
    assert.deepEqual(parsed.map.lookup(1, 14), { status: 'ok', sourceIndex: 0, line: 2, column: 3, name: null });
    assert.equal(parsed.map.sourcePath(0), 'src/a.js');
    assert.equal(parsed.map.sourceInApp(0), true);
    assert.equal(parsed.map.sourceInApp(1), false);
    assert.equal(parsed.map.context(1, 1, 5), null);
    assert.deepEqual(parsed.map.context(0, 3, 1), { contextLine: '  boom();', preContext: ['function named() {'], postContext: ['}'] });
    assert.equal(parsed.map.enclosingFunction(0, 3, 3), 'named');
    assert.deepEqual(parsed.map.lookup(5, 1), { status: 'out_of_range' });
  });

  it('refuses broken JSON and reports segments that point outside sources as malformed', () => {
    assert.equal(parseSourceMap('{"version":3').ok, false);
    const bad = parseSourceMap(JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AEAA' }));
    assert.ok(bad.ok);
    assert.equal(bad.map.lookup(1, 1).status, 'malformed');
  });
});

describe('readMinifiedTail and decodeDataUrl', () => {
  it('reads the trailing comments of a minified file', () => {
    assert.deepEqual(readMinifiedTail(encode('a();\n//# debugId=abc\n//# sourceMappingURL=app.js.map\n')), { sourceMappingUrl: 'app.js.map', debugId: 'abc' });
    assert.deepEqual(readMinifiedTail(encode('a();//@ sourceMappingURL=old.map')), { sourceMappingUrl: 'old.map', debugId: null });
  });

  it('decodes inline maps', () => {
    const url = `data:application/json;charset=utf-8;base64,${Buffer.from('{"version":3}').toString('base64')}`;
    assert.equal(new TextDecoder().decode(decodeDataUrl(url) as Uint8Array), '{"version":3}');
    assert.equal(decodeDataUrl('https://x'), null);
  });
});
