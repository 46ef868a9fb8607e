import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LlmBudgetExceededError } from './errors';
import { TokenBudget } from './token-budget';

void describe('TokenBudget', () => {
  void it('counts reservations, settles them to actual use, and frees them after an hour', () => {
    let now = 0;
    const budget = new TokenBudget(1_000, () => now);
    const a = budget.reserve(600);
    assert.equal(budget.used(), 600);
    assert.throws(() => budget.reserve(500), (e: unknown) => e instanceof LlmBudgetExceededError && e.availableTokens === 400);
    a.commit(300);
    assert.equal(budget.used(), 300);
    now = 10 * 60_000;
    const b = budget.reserve(700);
    b.release();
    assert.equal(budget.used(), 300);
    budget.reserve(700).commit(700);
    assert.throws(() => budget.reserve(200), (e: unknown) => e instanceof LlmBudgetExceededError && e.retryAfterMs === 50 * 60_000, 'the oldest entry expires 50 minutes from now');
    now = 60 * 60_000 + 1;
    assert.equal(budget.used(), 700);
    now = 70 * 60_000 + 1;
    assert.equal(budget.used(), 0);
  });

  void it('says a request larger than the whole budget will never fit', () => {
    const budget = new TokenBudget(100);
    assert.throws(() => budget.reserve(101), (e: unknown) => e instanceof LlmBudgetExceededError && e.retryAfterMs === null);
  });
});
