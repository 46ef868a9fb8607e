import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CriticalityRule, DEFAULT_CRITICALITY_RULES, type ImpactInput, priorityOf } from './priority';

const base: ImpactInput = { affectedUsers: 10, events: 20, windowHours: 1, category: 'null_reference', tags: [{ browser: 'Chrome' }], transactions: ['/account'] };

describe('priorityOf', () => {
  it('ranks tiers by impact: reach, rate and category', () => {
    assert.equal(priorityOf({ ...base, affectedUsers: 5000, events: 2000 }).tier, 'CRITICAL');
    assert.equal(priorityOf({ ...base, affectedUsers: 100, events: 50 }).tier, 'HIGH');
    assert.equal(priorityOf(base).tier, 'MEDIUM');
    assert.equal(priorityOf({ ...base, affectedUsers: 1, events: 1, windowHours: 24 }).tier, 'LOW');
  });

  it('reports events per hour and a score that grows with reach and rate', () => {
    const p = priorityOf({ ...base, events: 48, windowHours: 24 });
    assert.equal(p.eventsPerHour, 2);
    assert.ok(priorityOf({ ...base, affectedUsers: 1000 }).impactScore > priorityOf(base).impactScore);
    assert.ok(priorityOf({ ...base, events: 500 }).impactScore > priorityOf(base).impactScore);
    assert.ok(priorityOf({ ...base, category: 'memory' }).impactScore > priorityOf({ ...base, category: 'network' }).impactScore);
    assert.ok(priorityOf({ ...base, affectedUsers: 1e9, events: 1e9 }).impactScore <= 100);
  });

  it('lets the event rate stand in for reach when no user ids are known', () => {
    assert.ok(priorityOf({ ...base, affectedUsers: 0, events: 5000 }).impactScore > 50);
  });

  it('makes any crash on the checkout path critical', () => {
    const p = priorityOf({ ...base, affectedUsers: 1, events: 1, windowHours: 24, transactions: ['POST /checkout/confirm'] });
    assert.deepEqual([p.tier, p.critical, p.matchedRule], ['CRITICAL', true, 'checkout-path']);
  });

  it('lowers analytics retries, unless a critical rule also matches', () => {
    const retry = { ...base, affectedUsers: 5000, events: 2000, tags: [{ job: 'analytics-retry' }] };
    assert.deepEqual([priorityOf(retry).tier, priorityOf(retry).matchedRule], ['LOW', 'analytics-retry-job']);
    assert.equal(priorityOf({ ...retry, transactions: ['/checkout'] }).tier, 'CRITICAL');
  });

  it('applies custom rules, all conditions together', () => {
    const rules: CriticalityRule[] = [{ name: 'db-on-api', when: { category: 'database', transactionPrefix: '/api' }, effect: 'critical' }];
    assert.equal(priorityOf({ ...base, category: 'database', transactions: ['/api/orders'] }, rules).matchedRule, 'db-on-api');
    assert.equal(priorityOf({ ...base, category: 'timeout', transactions: ['/api/orders'] }, rules).matchedRule, null);
    assert.equal(priorityOf({ ...base, transactions: ['/checkout'] }, []).critical, false);
    assert.equal(priorityOf(base, [{ name: 'empty', when: {}, effect: 'critical' }]).critical, false);
    assert.ok(DEFAULT_CRITICALITY_RULES.length >= 2);
  });
});
