import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeReport } from '@faultline/normalize';
import { computeFingerprint, globMatch } from './fingerprint';

const AT = '2026-11-20T12:00:00.000Z';
const FRAGMENTS = ['TypeError: x', '    at f (/a.js:1:2)', '    at g (/node_modules/b.js:3:4)', 'fn@https://x/a.3f9a1c2b.js:1:2', 'java.lang.X: y', '\tat a.b.C.d$1(C.java:1)', 'panic: boom', 'goroutine 1 [running]:', 'main.main()', '\t/src/main.go:5 +0x1d', 'Traceback (most recent call last):', '  File "/a.py", line 3, in f', 'ValueError: v', '2026-11-20T10:00:00Z ERROR [x] failed 42'];

describe('fingerprint properties', () => {
  it('never throws and is deterministic for any normalized event', () => {
    const text = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 30 })), { maxLength: 120 }).map((a) => a.join('\n'));
    fc.assert(
      fc.property(text, (s) => {
        const r = normalizeReport({ reportId: 'r', project: 'p', kind: 'log_text', receivedAt: AT, sourceName: 'p', payload: s });
        for (const e of r.events) {
          const started = performance.now();
          const a = computeFingerprint(e);
          assert.ok(performance.now() - started < 50);
          assert.match(a.fingerprint, /^[0-9a-f]{32}$/);
          assert.deepEqual(computeFingerprint(e), a);
        }
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });

  it('line numbers never change the fingerprint', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 99_999 }), { minLength: 3, maxLength: 3 }), (lines) => {
        const trace = (ls: number[]) => `TypeError: x is undefined\n    at a (/srv/a.js:${ls[0]}:1)\n    at b (/srv/b.js:${ls[1]}:2)\n    at c (/srv/c.js:${ls[2]}:3)`;
        const fp = (t: string) => computeFingerprint(normalizeReport({ reportId: 'r', project: 'p', kind: 'log_text', receivedAt: AT, sourceName: 'p', payload: t }).events[0]).fingerprint;
        assert.equal(fp(trace(lines)), fp(trace([1, 2, 3])));
      }),
      { numRuns: 100, endOnFailure: true },
    );
  });

  it('globMatch stays fast on adversarial patterns', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '*', '?'), maxLength: 64 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 2000 }), (p, v) => {
        const started = performance.now();
        globMatch(p, v);
        assert.ok(performance.now() - started < 50);
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });
});
