import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucketLimiter } from './rate-limiter';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucketLimiter', () => {
  it('allows a minute’s allowance at once, then refuses with the wait until one more fits', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(60, time.now);
    for (let i = 0; i < 60; i++) assert.deepEqual(limiter.take('p', 1), { kind: 'allowed' });
    assert.deepEqual(limiter.take('p', 1), { kind: 'limited', retryAfterSeconds: 1 });
    assert.deepEqual(limiter.peek('p'), { kind: 'limited', retryAfterSeconds: 1 });
    time.advance(1000);
    assert.deepEqual(limiter.peek('p'), { kind: 'allowed' });
    assert.deepEqual(limiter.take('p', 1), { kind: 'allowed' });
    assert.equal(limiter.take('p', 1).kind, 'limited');
  });

  it('charges the request’s cost, whole or not at all, and says how long the missing part takes', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(60, time.now);
    assert.equal(limiter.take('p', 50).kind, 'allowed');
    assert.deepEqual(limiter.take('p', 20), { kind: 'limited', retryAfterSeconds: 10 });
    // The refused request took nothing: 10 tokens are still there.
    assert.equal(limiter.take('p', 10).kind, 'allowed');
  });

  it('refills continuously, never above one minute’s allowance', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(600, time.now);
    assert.equal(limiter.take('p', 600).kind, 'allowed');
    time.advance(30_000);
    assert.equal(limiter.take('p', 300).kind, 'allowed');
    assert.equal(limiter.take('p', 1).kind, 'limited');
    time.advance(3_600_000);
    assert.equal(limiter.take('p', 600).kind, 'allowed');
    assert.equal(limiter.take('p', 1).kind, 'limited');
  });

  it('keeps one bucket per project', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(1, time.now);
    assert.equal(limiter.take('a', 1).kind, 'allowed');
    assert.deepEqual(limiter.take('a', 1), { kind: 'limited', retryAfterSeconds: 60 });
    assert.equal(limiter.take('b', 1).kind, 'allowed');
  });

  it('lets a request larger than the bucket through once the bucket is full', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(10, time.now);
    assert.equal(limiter.take('p', 1000).kind, 'allowed');
    assert.equal(limiter.take('p', 1000).kind, 'limited');
  });

  it('charges at least one token, even for a request with no reports', () => {
    const limiter = new TokenBucketLimiter(1, clock().now);
    assert.equal(limiter.take('p', 0).kind, 'allowed');
    assert.equal(limiter.take('p', 0).kind, 'limited');
  });

  it('is off at 0', () => {
    const limiter = new TokenBucketLimiter(0, clock().now);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.take('p', 1000).kind, 'allowed');
  });
});
