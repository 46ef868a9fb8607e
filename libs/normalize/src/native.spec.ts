import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CrashEvent } from '@faultline/schema';
import { fixtureText, normalizeFixture, only, RECEIVED_AT } from './testing';
import { normalizeReport } from './normalize';

describe('native events', () => {
  it('android-crash.json: innermost-first frames reversed, cause chain, contexts', () => {
    const e = only(normalizeFixture('native/android-crash.json'));
    assert.doesNotThrow(() => CrashEvent.parse(e));
    assert.equal(e.id, '4f6c2b1e-9a7d-4e3f-8b2c-5d1a0e9f8c7b');
    assert.equal(e.timestamp, '2026-11-20T10:16:40.123Z');
    assert.deepEqual([e.platform, e.severity, e.region, e.transaction, e.userId], ['java', 'fatal', 'eu-central-1', 'CheckoutActivity', '8812']);
    assert.deepEqual(e.contexts, { os: 'Android 14', device: 'Google Pixel 8', browser: null, runtime: 'ART 2.1.0' });
    assert.deepEqual(e.debugImages, [{ type: 'proguard', codeFile: null, debugId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }]);
    assert.deepEqual(e.exceptions.map((x) => `${x.module}.${x.type}`), ['java.net.SocketTimeoutException', 'java.lang.IllegalStateException']);
    assert.deepEqual(e.exceptions[1].mechanism, { type: 'UncaughtExceptionHandler', handled: false });
    assert.deepEqual(e.exceptions[1].frames.map((f) => `${f.module}.${f.function}:${f.line}:${f.inApp}`), [
      'com.android.internal.os.ZygoteInit.main:1042:false',
      'android.view.View.performClick:7659:false',
      'com.acme.shop.checkout.CheckoutActivity$onCreate$1.onClick:40:true',
      'com.acme.shop.checkout.CheckoutPresenter.submit:88:true',
    ]);
    assert.deepEqual(e.exceptions[0].frames.map((f) => f.function), ['authorize', 'execute']);
    assert.deepEqual(e.source, { kind: 'native', name: 'native/android-crash.json', line: null });
  });

  it('react-native-stacktrace.json: a text stack stands in for frames; missing id derived', () => {
    const e = only(normalizeFixture('native/react-native-stacktrace.json'));
    assert.match(e.id, /^[0-9a-f]{32}$/);
    assert.equal(e.canonicalKind, 'not_a_function');
    assert.equal(e.message, "undefined is not a function (near '...items.forEach...')");
    assert.deepEqual(e.exceptions[0].frames.map((f) => [f.function, f.line, f.inApp]), [
      ['renderWithHooks', 5630, false],
      ['CartScreen', 40012, true],
      ['renderCart', 41233, true],
    ]);
    assert.deepEqual([e.contexts.os, e.contexts.device, e.userId], ['iOS 17.2', 'iPhone15,2', 'u_77']);
  });

  it('events.ndjson: one event per line, a broken line rejected with its line number', () => {
    const r = normalizeFixture('native/events.ndjson');
    assert.deepEqual(r.events.map((e) => [e.id, e.source.line, e.canonicalKind]), [
      ['evt-0001', 1, 'null_reference'],
      ['evt-0002', 2, 'not_a_function'],
      ['evt-0004', 4, 'message'],
    ]);
    assert.equal(r.rejected.length, 1);
    assert.deepEqual([r.rejected[0].line, r.rejected[0].reason, r.rejected[0].source], [3, 'invalid_json', 'native/events.ndjson']);
    assert.deepEqual(r.events[1].exceptions[0].frames.map((f) => f.function), ['App', 'renderCart']);
  });

  it('normalizeReport with native_event; frameOrder oldest_first honoured', () => {
    const payload = JSON.stringify({ id: 'n1', frameOrder: 'oldest_first', exception: { type: 'Boom', value: 'x', frames: [{ function: 'main', file: 'main.swift', line: 1 }, { function: 'crash', file: 'crash.swift', line: 9 }] } });
    const e = only(normalizeReport({ reportId: 'r', project: 'ios', kind: 'native_event', receivedAt: RECEIVED_AT, sourceName: 'native', payload }));
    assert.equal(e.platform, 'native');
    assert.deepEqual(e.exceptions[0].frames.map((f) => f.function), ['main', 'crash']);
  });

  it('a native event with neither exception nor message is rejected as no_records', () => {
    const r = normalizeReport({ reportId: 'r', project: 'p', kind: 'native_event', receivedAt: RECEIVED_AT, sourceName: 'n', payload: '{"id":"x"}' });
    assert.deepEqual(r.rejected.map((x) => x.reason), ['no_records']);
    assert.equal(fixtureText('native/events.ndjson').split('\n').filter(Boolean).length, 4);
  });
});
