import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawReport } from '@faultline/schema';
import { fixture, hostile, normalizeFixture, only, RECEIVED_AT } from './testing';
import { normalizeFile, normalizeReport } from './normalize';

const gen = hostile();
const opts = { project: 'p', receivedAt: RECEIVED_AT };

function report(kind: RawReport['kind'], payload: string): RawReport {
  return { reportId: 'r-9', project: 'p', kind, receivedAt: RECEIVED_AT, sourceName: 'hostile', payload };
}

function reasons(r: { rejected: Array<{ reason: string }> }): string[] {
  return r.rejected.map((x) => x.reason);
}

describe('hostile fixtures', () => {
  const expected: Array<[string, string]> = [
    ['hostile/malformed.json', 'invalid_json'],
    ['hostile/truncated.json', 'invalid_json'],
    ['hostile/invalid-utf8.log', 'invalid_utf8'],
    ['hostile/binary-garbage.bin', 'unsupported_format'],
    ['hostile/scalar.json', 'no_records'],
    ['hostile/empty-array.json', 'no_records'],
    ['hostile/empty-event.json', 'no_records'],
    ['hostile/no-crash.log', 'no_records'],
  ];
  for (const [path, reason] of expected) {
    it(`${path} → ${reason}`, () => {
      const r = normalizeFixture(path);
      assert.deepEqual(r.events, []);
      assert.deepEqual(reasons(r), [reason]);
      assert.equal(r.rejected[0].source, path);
    });
  }
});

describe('generated hostile inputs', () => {
  it('JSON nested 10,000 deep → too_deep, from both entry points', () => {
    assert.deepEqual(reasons(normalizeFile('deep.json', gen.deepJson(10_000), opts)), ['too_deep']);
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', gen.deepSentryEvent(10_000)))), ['too_deep']);
    assert.deepEqual(reasons(normalizeReport(report('native_event', gen.deepJson(10_000)))), ['too_deep']);
  });

  it('a 10 MB message → too_large before any parsing', () => {
    const payload = gen.hugeMessageEvent(10 * 1024 * 1024);
    const started = performance.now();
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', payload))), ['too_large']);
    assert.deepEqual(reasons(normalizeFile('big.json', Buffer.from(payload), opts)), ['too_large']);
    assert.ok(performance.now() - started < 500);
  });

  it('a 2 MB message under the bound is kept, cut to the message bound, raw cut to maxRawBytes', () => {
    const e = only(normalizeReport(report('sentry_event', gen.hugeMessageEvent(2 * 1024 * 1024))));
    assert.equal(e.message.length, 8192);
    assert.ok(Buffer.byteLength(e.raw) <= 16_384);
  });

  it('10,000 frames: the event is kept with maxFrames frames, crash site last', () => {
    for (const payload of [gen.hugeFrameSentryEvent(10_000)]) {
      const e = only(normalizeReport(report('sentry_event', payload)));
      const frames = e.exceptions[0].frames;
      assert.equal(frames.length, 512);
      assert.equal(frames[0].function, 'main');
      assert.equal(frames.at(-1)?.function, 'crashSite');
    }
    const text = only(normalizeFile('deep.txt', gen.hugeV8Trace(10_000), opts));
    assert.equal(text.exceptions[0].frames.length, 512);
    assert.equal(text.exceptions[0].frames.at(-1)?.function, 'crashSite');
    assert.equal(text.exceptions[0].frames[0].function, 'main');
    const small = only(normalizeFile('deep.txt', gen.hugeV8Trace(10_000), { ...opts, maxFrames: 10 }));
    assert.equal(small.exceptions[0].frames.length, 10);
  });

  it('invalid UTF-8 bytes → invalid_utf8; a lone surrogate in a report → invalid_utf8', () => {
    assert.deepEqual(reasons(normalizeFile('bad.log', gen.invalidUtf8Bytes(), opts)), ['invalid_utf8']);
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', gen.loneSurrogatePayload()))), ['invalid_utf8']);
    assert.deepEqual(reasons(normalizeReport(report('log_text', 'Error: x\ud800\n    at f (/a.js:1:1)'))), ['invalid_utf8']);
  });

  it('binary garbage → unsupported_format (with or without a known magic number)', () => {
    assert.deepEqual(reasons(normalizeFile('x.bin', gen.binaryGarbage(4096, 7, true), opts)), ['unsupported_format']);
    assert.deepEqual(reasons(normalizeFile('x.bin', new Uint8Array([0x41, 0x00, 0x42]), opts)), ['unsupported_format']);
    assert.deepEqual(reasons(normalizeReport(report('log_text', '\u0001\u0002\u0003\u0004 not text \u0005\u0006'))), ['unsupported_format']);
  });

  it('truncated JSON → invalid_json; non-object JSON → unsupported_format', () => {
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', gen.truncatedJson(80)))), ['invalid_json']);
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', '[1,2]'))), ['unsupported_format']);
    assert.deepEqual(reasons(normalizeReport(report('sentry_event', 'null'))), ['unsupported_format']);
  });

  it('empty inputs → no_records', () => {
    assert.deepEqual(reasons(normalizeFile('e.txt', '', opts)), ['no_records']);
    assert.deepEqual(reasons(normalizeFile('e.txt', new Uint8Array(), opts)), ['no_records']);
    assert.deepEqual(reasons(normalizeReport(report('log_text', '   \n\n'))), ['no_records']);
  });

  it('malformed reports never throw', () => {
    const bad = [null, undefined, {}, { kind: 'sentry_event' }, { kind: 'nope', payload: '{}' }, { kind: 'log_text', payload: 42 }] as unknown as RawReport[];
    for (const r of bad) {
      const out = normalizeReport(r);
      assert.equal(out.events.length, 0);
      assert.equal(out.rejected.length, 1);
    }
    assert.deepEqual(reasons(normalizeFile('x', 42 as unknown as string, opts)), ['unsupported_format']);
  });

  it('a maxInputBytes option is honoured', () => {
    assert.deepEqual(reasons(normalizeFile('x.log', fixture('logs/backend-mixed.log'), { ...opts, maxInputBytes: 100 })), ['too_large']);
  });
});
