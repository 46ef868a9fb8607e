import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScopeIndex } from './js-scopes';

/** The name of the function around the `@` marker (removed before scanning). */
function nameAt(source: string): string | null {
  const at = source.indexOf('@');
  return new ScopeIndex(source.slice(0, at) + source.slice(at + 1)).nameAt(at);
}

describe('ScopeIndex', () => {
  it('names declarations, expressions, arrows and methods', () => {
    assert.equal(nameAt('function outer() { @x(); }'), 'outer');
    assert.equal(nameAt('async function* gen() { yield @1; }'), 'gen');
    assert.equal(nameAt('const handler = function () { @x(); };'), 'handler');
    assert.equal(nameAt('const onClick = async (event) => { @event.preventDefault(); };'), 'onClick');
    assert.equal(nameAt('const double = (x) => @x * 2;\nfunction later() {}'), 'double');
    assert.equal(nameAt('const api = { fetchUser(id) { return @id; }, save: function () {} };'), 'fetchUser');
    assert.equal(nameAt('const api = { fetchUser(id) {}, save: function () { @go(); } };'), 'save');
    assert.equal(nameAt('class Cart extends Base { constructor() { super(); @this.x = 1; } }'), 'new Cart');
    assert.equal(nameAt('class Cart { get total() { return @this.t; } static of(x) { return x; } }'), 'Cart.total');
    assert.equal(nameAt('class Cart { handle = () => { @go(); }; }'), 'Cart.handle');
    assert.equal(nameAt('const Store = class { add(x) { @x(); } };'), 'Store.add');
  });

  it('returns the innermost function, and null for anonymous callbacks and top-level code', () => {
    assert.equal(nameAt('function outer() { function inner() { @x(); } }'), 'inner');
    assert.equal(nameAt('function outer() { function inner() {} @x(); }'), 'outer');
    assert.equal(nameAt('function outer() { items.forEach((i) => { @i(); }); }'), null);
    assert.equal(nameAt('@start();\nfunction later() {}'), null);
    assert.equal(nameAt('function f() { if (a) { for (;;) { @x(); } } }'), 'f');
  });

  it('is not fooled by braces in strings, templates, comments and regular expressions', () => {
    assert.equal(nameAt('function f() { const s = "}"; const t = `${"}"} }`; /* } */ // }\n const r = /[}]/g; @x(); }'), 'f');
    assert.equal(nameAt('function f() { return a / b; }\nfunction g() { @x(); }'), 'g');
  });

  it('reads TypeScript return types', () => {
    assert.equal(nameAt('export function total(items: Item[]): number { return @items.length; }'), 'total');
    assert.equal(nameAt('class A { async load(id: string): Promise<void> { @go(); } }'), 'A.load');
    assert.equal(nameAt('function find(id: string): { hit: Item; score: number } | null { @go(); }'), 'find');
  });
});
