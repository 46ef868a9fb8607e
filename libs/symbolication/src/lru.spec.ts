import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLru } from './lru';

describe('ByteLru', () => {
  it('evicts least recently used entries until the bytes fit', () => {
    const lru = new ByteLru<string>(100);
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    assert.equal(lru.get('a'), 'A'); // a is now the most recently used
    lru.set('c', 'C', 40);
    assert.equal(lru.has('b'), false);
    assert.equal(lru.has('a'), true);
    assert.equal(lru.has('c'), true);
    assert.equal(lru.bytes, 80);
    assert.equal(lru.size, 2);
  });

  it('one big entry pushes out several small ones', () => {
    const lru = new ByteLru<number>(100);
    for (let k = 0; k < 10; k++) lru.set(`k${k}`, k, 10);
    lru.set('big', 99, 95);
    assert.equal(lru.size, 1);
    assert.equal(lru.bytes, 95);
  });

  it('does not keep a value larger than the whole bound, and replaces a key in place', () => {
    const lru = new ByteLru<number>(100);
    lru.set('x', 1, 30);
    assert.equal(lru.set('huge', 2, 101), false);
    assert.equal(lru.has('huge'), false);
    assert.equal(lru.has('x'), true);
    lru.set('x', 3, 50);
    assert.equal(lru.get('x'), 3);
    assert.equal(lru.bytes, 50);
    lru.delete('x');
    assert.equal(lru.bytes, 0);
  });
});
