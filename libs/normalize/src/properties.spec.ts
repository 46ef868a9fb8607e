import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CrashEvent } from '@faultline/schema';
import { canonicalErrorKind } from './canonical';
import { normalizeFile, normalizeReport, type NormalizeResult } from './normalize';
import { DEFAULT_SCRUB_RULES } from './options';
import { parameterizeMessage } from './parameterize';
import { scrubText } from './scrub';
import { splitTextRecords } from './logs';
import { RECEIVED_AT } from './testing';

/*
 * Property tests: every parser, on arbitrary input of up to 64 KiB, returns (never throws) within a
 * time bound. The bound is per input and generous for a loaded CI machine; catastrophic regexes
 * blow through it by orders of magnitude.
 */

const BOUND_MS = 50;
const RUNS = 150;

/** Runs fn under the time bound; a slow run is repeated once, so a GC or scheduler pause on a busy machine is not a failure. */
function timed<T>(fn: () => T): T {
  let start = performance.now();
  let out = fn();
  let ms = performance.now() - start;
  if (ms >= BOUND_MS) {
    start = performance.now();
    out = fn();
    ms = performance.now() - start;
  }
  assert.ok(ms < BOUND_MS, `took ${ms.toFixed(1)} ms`);
  return out;
}

// Shrinking 64 KiB inputs after a failure can take minutes: report the first counterexample as it is.
const PARAMS = { numRuns: RUNS, endOnFailure: true } as const;

function wellFormed(result: NormalizeResult): void {
  assert.ok(Array.isArray(result.events) && Array.isArray(result.rejected));
  for (const e of result.events) CrashEvent.parse(e);
}

// Fragments of every supported syntax, so random documents reach deep into the parsers.
const FRAGMENTS = [
  'TypeError: x', '    at f (/a.js:1:2)', '    at /a.js:1:2', '    at async g (b.js:3:4)', 'fn@https://x/a.js:1:2', '@a.js:1:1',
  'Traceback (most recent call last):', '  File "/a.py", line 3, in f', '    x()', 'ValueError: bad',
  'The above exception was the direct cause of the following exception:', 'java.lang.IllegalStateException: boom',
  '\tat a.b.C.d(C.java:1)', 'Caused by: java.io.IOException: x', '\t... 2 more', '\tSuppressed: x.Y: z', 'panic: boom',
  '[signal SIGSEGV: segmentation violation]', 'goroutine 1 [running]:', 'main.main()', '\t/src/main.go:5 +0x1d', 'created by main.x in goroutine 1',
  '2026-11-20T10:00:00.000Z ERROR [svc] failed', '2026-11-20 10:00:00,123 INFO ok', 'Uncaught (in promise) Error: x', '', '{', '}', '[', '"',
  'jane@example.com', '4111 1111 1111 1111', 'Authorization: Bearer abc', 'eyJabcdefghij.eyJabcdefghij.sig', 'https://u:p@h/x',
];
const traceText = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 })), { maxLength: 200 }).map((a) => a.join('\n'));
const bigString = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  traceText,
  // Repetitions of one fragment up to 64 KiB: the classic trigger of regex backtracking.
  fc.tuple(fc.constantFrom('a', '@', '1', ' ', 'at ', 'a.', '::', '"', "'", 'x@y.', '4111 ', 'eyJa.', ':\\/\\/', 'Bearer ', '\t', '[', '{"a":'), fc.integer({ min: 1, max: 65_536 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, 65_536)),
);

const sentryLike = fc.record(
  {
    event_id: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), fc.anything()),
    timestamp: fc.oneof(fc.double(), fc.string(), fc.constant('2026-11-20T10:00:00Z')),
    platform: fc.oneof(fc.constantFrom('javascript', 'node', 'java', 'python', 'go', 'native', 'cocoa'), fc.anything()),
    level: fc.anything(),
    tags: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.array(fc.array(fc.anything(), { maxLength: 3 }))),
    user: fc.anything(),
    contexts: fc.anything(),
    fingerprint: fc.anything(),
    exception: fc.oneof(
      fc.record({ values: fc.array(fc.record({ type: fc.anything(), value: fc.anything(), stacktrace: fc.record({ frames: fc.array(fc.dictionary(fc.constantFrom('function', 'filename', 'abs_path', 'lineno', 'colno', 'in_app', 'module', 'context_line', 'pre_context'), fc.anything()), { maxLength: 30 }) }) }), { maxLength: 4 }) }),
      fc.anything(),
    ),
    logentry: fc.anything(),
    debug_meta: fc.anything(),
  },
  { requiredKeys: [] },
);

const nativeLike = fc.record(
  {
    id: fc.anything(),
    timestamp: fc.anything(),
    platform: fc.anything(),
    message: fc.anything(),
    exception: fc.oneof(fc.record({ type: fc.anything(), value: fc.anything(), frames: fc.array(fc.dictionary(fc.constantFrom('function', 'class', 'file', 'line', 'inApp'), fc.anything()), { maxLength: 30 }), stacktrace: fc.oneof(traceText, fc.anything()), cause: fc.anything() }, { requiredKeys: [] }), fc.anything()),
    user: fc.anything(),
    device: fc.anything(),
    os: fc.anything(),
    tags: fc.anything(),
  },
  { requiredKeys: [] },
);

function report(kind: 'sentry_event' | 'native_event' | 'log_text', payload: string) {
  return { reportId: 'prop', project: 'p', kind, receivedAt: RECEIVED_AT, sourceName: 'prop', payload };
}

describe('properties: never throws, bounded time', () => {
  it('normalizeReport(log_text) on arbitrary and trace-like text', () => {
    fc.assert(fc.property(bigString, (s) => wellFormed(timed(() => normalizeReport(report('log_text', s))))), PARAMS);
  });

  it('normalizeReport(sentry_event) on arbitrary strings and Sentry-like JSON', () => {
    fc.assert(fc.property(fc.oneof(bigString, sentryLike.map((e) => JSON.stringify(e) ?? 'null'), fc.json()), (s) => wellFormed(timed(() => normalizeReport(report('sentry_event', s))))), PARAMS);
  });

  it('normalizeReport(native_event) on native-like JSON', () => {
    fc.assert(fc.property(fc.oneof(nativeLike.map((e) => JSON.stringify(e) ?? 'null'), fc.json()), (s) => wellFormed(timed(() => normalizeReport(report('native_event', s))))), PARAMS);
  });

  it('normalizeFile on arbitrary bytes, JSON arrays and NDJSON', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      bigString,
      fc.array(sentryLike, { maxLength: 5 }).map((a) => JSON.stringify(a)),
      fc.array(fc.oneof(nativeLike.map((e) => JSON.stringify(e)), fc.string()), { maxLength: 8 }).map((a) => a.join('\n')),
    );
    fc.assert(fc.property(inputs, (c) => wellFormed(timed(() => normalizeFile('prop', c, { project: 'p', receivedAt: RECEIVED_AT })))), PARAMS);
  });

  it('canonicalErrorKind always returns a string, whatever the type name', () => {
    for (const t of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) assert.equal(typeof canonicalErrorKind(t, ''), 'string');
  });

  it('splitTextRecords, scrubText, parameterizeMessage, canonicalErrorKind', () => {
    fc.assert(
      fc.property(bigString, (s) => {
        timed(() => splitTextRecords(s));
        assert.equal(typeof timed(() => scrubText(s, { ...DEFAULT_SCRUB_RULES, ipAddresses: true })), 'string');
        assert.equal(typeof timed(() => parameterizeMessage(s)), 'string');
        assert.equal(typeof timed(() => canonicalErrorKind(s.slice(0, 300), s)), 'string');
      }),
      PARAMS,
    );
  });

  it('scrubbing is idempotent', () => {
    fc.assert(fc.property(traceText, (s) => {
      const once = scrubText(s, DEFAULT_SCRUB_RULES);
      assert.equal(scrubText(once, DEFAULT_SCRUB_RULES), once);
    }), PARAMS);
  });
});
