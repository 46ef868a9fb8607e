import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameTuples, normalizeFixture, only } from '../testing';
import { parseGeckoFrame } from './gecko';

const MAIN = 'https://shop.example.com/static/js/main.3f9a1c2b.js';

describe('Gecko/WebKit frames', () => {
  it('reads fn@url:line:col and its variants', () => {
    const cases: Array<[string, string | null, string, number, number | null]> = [
      ['computeTotals@https://x.io/a.js:2:3391', 'computeTotals', 'https://x.io/a.js', 2, 3391],
      ['@https://x.io/a.js:1:77', null, 'https://x.io/a.js', 1, 77],
      ['global code@https://x.io/checkout:12:3', 'global code', 'https://x.io/checkout', 12, 3],
      ['recalculate/<@https://x.io/a.js:2:5120', 'recalculate/<', 'https://x.io/a.js', 2, 5120],
      ['async*handleCheckout@https://x.io/a.js:2:8004', 'handleCheckout', 'https://x.io/a.js', 2, 8004],
      ['fn@webpack-internal:///./node_modules/@babel/x.js:4:1', 'fn', 'webpack-internal:///./node_modules/@babel/x.js', 4, 1],
      ['old@https://x.io/a.js:10', 'old', 'https://x.io/a.js', 10, null],
    ];
    for (const [line, fn, file, l, c] of cases) {
      const f = parseGeckoFrame(line);
      assert.ok(f, line);
      assert.deepEqual([f.function, f.file, f.line, f.column], [fn, file, l, c], line);
    }
  });

  it('rejects lines that only contain an @', () => {
    assert.equal(parseGeckoFrame('contact ops@example.com for help'), null);
    assert.equal(parseGeckoFrame('user@host'), null);
  });
});

describe('fixtures text/firefox.txt and text/safari.txt', () => {
  it('Firefox: message line, nested anonymous, async marker, innermost last after reversal', () => {
    const e = only(normalizeFixture('text/firefox.txt'));
    assert.equal(e.platform, 'javascript');
    assert.equal(e.errorType, 'TypeError');
    assert.equal(e.canonicalKind, 'null_property_access');
    assert.deepEqual(frameTuples(e.exceptions[0].frames), [
      [null, MAIN, 1],
      ['handleCheckout', MAIN, 2],
      ['recalculate/<', MAIN, 2],
      ['computeTotals', MAIN, 2],
    ]);
  });

  it('Safari: empty function names and global code', () => {
    const e = only(normalizeFixture('text/safari.txt'));
    assert.equal(e.message, "undefined is not an object (evaluating 'cart.total')");
    assert.equal(e.canonicalKind, 'null_property_access');
    assert.deepEqual(frameTuples(e.exceptions[0].frames), [
      ['global code', 'https://shop.example.com/checkout', 12],
      ['handleCheckout', MAIN, 2],
      [null, MAIN, 2],
      ['computeTotals', MAIN, 2],
    ]);
  });
});
