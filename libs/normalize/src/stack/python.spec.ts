import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameTuples, normalizeFixture, only } from '../testing';
import { splitLines } from './scan';
import { parsePython, pythonModule } from './python';

describe('Python tracebacks', () => {
  it('derives modules from paths', () => {
    assert.equal(pythonModule('/usr/lib/python3.11/site-packages/celery/app/trace.py'), 'celery.app.trace');
    assert.equal(pythonModule('/srv/billing/billing/plans.py'), 'plans');
    assert.equal(pythonModule('<frozen importlib._bootstrap>'), null);
  });

  it('reads a SyntaxError traceback without "in func"', () => {
    const lines = splitLines('Traceback (most recent call last):\n  File "/srv/x.py", line 3\n    x = = 1\n      ^\nSyntaxError: invalid syntax\n');
    const t = parsePython(lines, 0, lines.length);
    assert.ok(t);
    assert.deepEqual(frameTuples(t.exceptions[0].frames), [[null, '/srv/x.py', 3]]);
    assert.equal(t.exceptions[0].type, 'SyntaxError');
    assert.equal(t.end, 5);
  });

  it('skips "[Previous line repeated N more times]"', () => {
    const text = 'Traceback (most recent call last):\n  File "/srv/r.py", line 2, in f\n    return f()\n  [Previous line repeated 996 more times]\nRecursionError: maximum recursion depth exceeded\n';
    const lines = splitLines(text);
    const t = parsePython(lines, 0, lines.length);
    assert.equal(t?.exceptions[0].type, 'RecursionError');
    assert.equal(t?.exceptions[0].frames.length, 1);
  });
});

describe('fixture text/python-chained.txt', () => {
  it('keeps the printed order (cause first) and frames oldest first, with source lines', () => {
    const e = only(normalizeFixture('text/python-chained.txt'));
    assert.equal(e.platform, 'python');
    assert.deepEqual(e.exceptions.map((x) => `${x.module}.${x.type}: ${x.value}`), ["null.KeyError: 'plan_id'", 'billing.errors.ChargeError: no plan for cus_Q8x1']);
    assert.equal(e.errorType, 'ChargeError');
    assert.deepEqual(frameTuples(e.exceptions[0].frames), [['lookup', '/srv/billing/billing/plans.py', 22]]);
    assert.equal(e.exceptions[0].frames[0].contextLine, 'return PLANS[payload["plan_id"]]');
    assert.deepEqual(frameTuples(e.exceptions[1].frames), [
      ['__protected_call__', '/usr/lib/python3.11/site-packages/celery/app/trace.py', 760],
      ['charge', '/srv/billing/billing/tasks.py', 41],
      ['price_for', '/srv/billing/billing/plans.py', 30],
    ]);
    assert.deepEqual(e.exceptions[1].frames.map((f) => f.inApp), [false, true, true]);
  });
});
