import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '@faultline/schema';
import { collapseRecursion, normalizeFrameForGrouping, normalizeGoFunction, normalizeJavaName, normalizeJsFunction, normalizeNativeFunction } from './frame-token';

function frame(partial: Partial<Frame>): Frame {
  return { function: null, module: null, file: null, line: 1, column: 1, inApp: true, ...partial };
}

describe('normalizeFrameForGrouping', () => {
  it('JS: file basename without asset hash + function; no line or column', () => {
    const a = normalizeFrameForGrouping(frame({ function: 'ProductList', file: 'https://x.io/static/js/main.3f9a1c2b.js', line: 2, column: 14523 }), 'javascript');
    const b = normalizeFrameForGrouping(frame({ function: 'ProductList', file: 'https://x.io/static/js/main.5d1e7f3a.js', line: 9, column: 1 }), 'javascript');
    assert.equal(a, 'main.js:ProductList');
    assert.equal(a, b);
    assert.equal(normalizeFrameForGrouping(frame({ function: 'query', module: 'db:client', file: '/srv/db/client.js' }), 'node'), 'db:client:query');
    assert.equal(normalizeFrameForGrouping(frame({}), 'javascript'), null);
  });

  it('JS: one name across engines', () => {
    const names = ['Cart.recalculate [as refresh]', 'async recalculate', 'Cart.prototype.recalculate', 'async*recalculate', 'recalculate'];
    for (const n of names) assert.equal(normalizeJsFunction(n), 'recalculate', n);
    for (const n of ['Object.<anonymous>', '<anonymous>', 'recalculate/<', 'global code', '', null]) assert.equal(normalizeJsFunction(n), '?', String(n));
    assert.equal(normalizeJsFunction('new CheckoutSession'), 'CheckoutSession');
  });

  it('Java: class + method, synthetic suffixes normalised', () => {
    assert.equal(normalizeFrameForGrouping(frame({ module: 'com.acme.Foo', function: 'lambda$run$0' }), 'java'), 'com.acme.Foo.lambda$run$');
    assert.equal(normalizeJavaName('com.acme.Foo$$Lambda$123/0x0000000800c0b040'), 'com.acme.Foo$$Lambda');
    assert.equal(normalizeJavaName('com.acme.Foo$$ExternalSyntheticLambda3'), 'com.acme.Foo$$ExternalSyntheticLambda');
    assert.equal(normalizeJavaName('com.acme.Service$$EnhancerBySpringCGLIB$$5f3b2a1c'), 'com.acme.Service$$EnhancerBySpringCGLIB');
    assert.equal(normalizeJavaName('com.acme.CheckoutActivity$onCreate$1'), 'com.acme.CheckoutActivity$onCreate$');
    assert.equal(normalizeJavaName('access$000'), 'access$');
  });

  it('Python: module + function', () => {
    assert.equal(normalizeFrameForGrouping(frame({ module: 'billing.plans', function: 'price_for', file: 'billing/plans.py' }), 'python'), 'billing.plans:price_for');
    assert.equal(normalizeFrameForGrouping(frame({ function: 'charge', file: '/srv/billing/tasks.py' }), 'python'), 'tasks:charge');
  });

  it('Go: function without args, offsets or closure numbers', () => {
    assert.equal(normalizeGoFunction('main.(*Server).handle(0xc000010000, {0x1, 0x2})'), 'main.(*Server).handle');
    assert.equal(normalizeGoFunction('github.com/a/b.(*H).get.func1.2'), 'github.com/a/b.(*H).get.func');
    assert.equal(normalizeFrameForGrouping(frame({ module: 'main', function: '(*Server).handle' }), 'go'), 'main.(*Server).handle');
    assert.equal(normalizeFrameForGrouping(frame({ module: 'main', function: 'main.run' }), 'go'), 'main.run');
  });

  it('native: symbol without params or offsets; addresses do not count', () => {
    assert.equal(normalizeNativeFunction('MyClass::method(int, char*) + 124'), 'MyClass::method');
    assert.equal(normalizeNativeFunction('0x00007fff2034a1b2'), null);
    assert.equal(normalizeFrameForGrouping(frame({ function: '<unknown>' }), 'native'), null);
  });
});

describe('collapseRecursion', () => {
  it('folds direct and mutual recursion', () => {
    assert.deepEqual(collapseRecursion(['main', 'r', 'r', 'r', 'r', 'crash']), ['main', 'r', 'crash']);
    assert.deepEqual(collapseRecursion(['main', 'a', 'b', 'a', 'b', 'a', 'b', 'crash']), ['main', 'a', 'b', 'crash']);
    assert.deepEqual(collapseRecursion(['a', 'b', 'c', 'a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd']);
    assert.deepEqual(collapseRecursion(['a', 'b', 'a']), ['a', 'b', 'a']);
  });
});
