import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameTuples, normalizeFixture, only } from '../testing';
import { parseV8Frame } from './v8';
import { splitLines } from './scan';
import { parseV8 } from './v8';

describe('V8 frames', () => {
  it('reads the usual shapes', () => {
    const cases: Array<[string, string | null, string | null, number | null, number | null]> = [
      ['    at fn (/srv/a.js:10:5)', 'fn', '/srv/a.js', 10, 5],
      ['    at /srv/a.js:10:5', null, '/srv/a.js', 10, 5],
      ['    at async handle (/srv/b.js:3:1)', 'handle', '/srv/b.js', 3, 1],
      ['    at new Foo (/srv/c.js:1:2)', 'new Foo', '/srv/c.js', 1, 2],
      ['    at Object.<anonymous> (/srv/d.js:9:1)', 'Object.<anonymous>', '/srv/d.js', 9, 1],
      ['    at Cart.recalculate [as refresh] (/srv/e.js:112:12)', 'Cart.recalculate [as refresh]', '/srv/e.js', 112, 12],
      ['    at Module._compile (node:internal/modules/cjs/loader:1554:14)', 'Module._compile', 'node:internal/modules/cjs/loader', 1554, 14],
      ['    at fn (https://cdn.example.com:8443/app.js:1:99)', 'fn', 'https://cdn.example.com:8443/app.js', 1, 99],
      ['    at fn (C:\\app\\x.js:4:2)', 'fn', 'C:\\app\\x.js', 4, 2],
      ['    at eval (eval at compile (/srv/t.js:5:9), <anonymous>:1:1)', 'eval', '/srv/t.js', 5, 9],
      ['    at async Promise.all (index 0)', 'Promise.all', null, null, null],
      ['    at async /srv/gateway/src/routes/proxy.js:8:5', null, '/srv/gateway/src/routes/proxy.js', 8, 5],
    ];
    for (const [line, fn, file, l, c] of cases) {
      const f = parseV8Frame(line);
      assert.ok(f, line);
      assert.deepEqual([f.function, f.file, f.line, f.column], [fn, file, l, c], line);
    }
  });

  it('marks library and built-in frames as not in-app', () => {
    assert.equal(parseV8Frame('    at x (/srv/node_modules/lib/i.js:1:1)')?.inApp, false);
    assert.equal(parseV8Frame('    at x (node:internal/process/task_queues:95:5)')?.inApp, false);
    assert.equal(parseV8Frame('    at async Promise.all (index 0)')?.inApp, false);
    assert.equal(parseV8Frame('    at x (/srv/app/src/i.js:1:1)')?.inApp, true);
  });

  it('rejects prose that starts with "at"', () => {
    assert.equal(parseV8Frame('    at least one item is required'), null);
    assert.equal(parseV8Frame('    at li'), null);
  });

  it('reads a Node [cause] chain, root cause first', () => {
    const text = [
      'Error: outer failed',
      '    at outer (/srv/a.js:1:1)',
      '    at main (/srv/a.js:9:1) {',
      '  [cause]: TypeError: inner broke',
      '      at inner (/srv/b.js:2:2)',
      '      at outer (/srv/a.js:1:1)',
      '}',
    ].join('\n');
    const lines = splitLines(text);
    const t = parseV8(lines, 0, lines.length, true);
    assert.ok(t);
    assert.deepEqual(t.exceptions.map((e) => `${e.type}: ${e.value}`), ['TypeError: inner broke', 'Error: outer failed']);
    assert.deepEqual(frameTuples(t.exceptions[0].frames), [['outer', '/srv/a.js', 1], ['inner', '/srv/b.js', 2]]);
  });
});

describe('fixture text/v8-node.txt', () => {
  it('gives every frame oldest first, with Node shapes kept', () => {
    const e = only(normalizeFixture('text/v8-node.txt'));
    assert.equal(e.id, 'text/v8-node.txt:1');
    assert.equal(e.platform, 'node');
    assert.equal(e.errorType, 'TypeError');
    assert.equal(e.message, "Cannot read properties of undefined (reading 'total')");
    assert.equal(e.canonicalKind, 'null_property_access');
    const frames = e.exceptions[0].frames;
    assert.deepEqual(frameTuples(frames), [
      [null, '/srv/orders/node_modules/express/lib/router/layer.js', 95],
      ['Module._compile', 'node:internal/modules/cjs/loader', 1554],
      ['Object.<anonymous>', '/srv/orders/src/server.js', 9],
      ['handleCheckout', '/srv/orders/src/routes/checkout.js', 44],
      ['Promise.all', null, null],
      ['new CheckoutSession', '/srv/orders/src/checkout/session.js', 18],
      ['Cart.recalculate [as refresh]', '/srv/orders/src/cart/cart.js', 112],
      ['computeTotals', '/srv/orders/src/cart/totals.js', 27],
    ]);
    assert.deepEqual(frames.map((f) => f.inApp), [false, false, true, true, false, true, true, true]);
    assert.equal(frames.at(-1)?.column, 31);
  });
});
