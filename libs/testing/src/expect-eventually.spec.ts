import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns once the check holds', async () => {
    let calls = 0;
    const value = await expectEventually(() => {
      calls += 1;
      assert.ok(calls >= 3, 'not yet');
      return calls;
    }, { intervalMs: 1 });
    assert.equal(value, 3);
  });

  it('rethrows the last failure when time runs out', async () => {
    await assert.rejects(
      expectEventually(() => assert.fail('never holds'), { timeoutMs: 30, intervalMs: 5 }),
      /never holds/,
    );
  });
});
