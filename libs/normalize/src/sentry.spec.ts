import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CrashEvent } from '@faultline/schema';
import { fixtureText, frameTuples, normalizeFixture, only, RECEIVED_AT } from './testing';
import { normalizeReport } from './normalize';

const MAIN = 'https://shop.example.com/static/js/main.3f9a1c2b.js';
const VENDOR = 'https://shop.example.com/static/js/vendor.8b7c6d5e.js';

function report(payload: string) {
  return { reportId: 'r-1', project: 'shop', kind: 'sentry_event' as const, receivedAt: RECEIVED_AT, sourceName: 'store', payload };
}

describe('Sentry events', () => {
  it("keeps the SDK's fingerprint as valid JSON, whole parts only, beside a full set of tags", () => {
    const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`tag${i}`, `v${i}`]));
    const fingerprint = Array.from({ length: 32 }, (_, i) => `${i}-${'x'.repeat(300)}`);
    const payload = { event_id: 'a'.repeat(32), platform: 'node', message: 'custom grouped', tags, fingerprint };
    const e = only(normalizeReport(report(JSON.stringify(payload))));
    assert.equal(Object.keys(e.tags).filter((k) => k !== '__fingerprint').length, 100, 'the tag budget is for user tags');
    const kept = JSON.parse(e.tags.__fingerprint) as string[];
    assert.ok(e.tags.__fingerprint.length <= 4096);
    assert.ok(kept.length > 0 && kept.length < 32);
    assert.deepEqual(kept, fingerprint.slice(0, kept.length).map((part) => part.slice(0, 256)), 'whole parts, in order');
  });

  it('chrome-typeerror.json: every field, scrubbed, valid against the schema', () => {
    const r = normalizeReport(report(fixtureText('sentry/chrome-typeerror.json')));
    const e = only(r);
    assert.doesNotThrow(() => CrashEvent.parse(e));
    assert.equal(e.id, '9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f50');
    assert.equal(e.project, 'shop');
    assert.equal(e.timestamp, '2026-11-20T10:15:42.318Z');
    assert.equal(e.receivedAt, RECEIVED_AT);
    assert.deepEqual([e.platform, e.release, e.environment, e.severity, e.transaction], ['javascript', 'shop-web@4.12.0', 'production', 'error', '/checkout']);
    assert.equal(e.errorType, 'TypeError');
    assert.equal(e.canonicalKind, 'null_property_access');
    assert.equal(e.messageTemplate, 'Cannot read properties of undefined (reading <str>)');
    assert.equal(e.userId, 'u_48213');
    assert.equal(e.region, 'eu-west-1');
    assert.deepEqual(e.contexts, { os: 'Windows 10', device: 'Desktop', browser: 'Chrome 131.0.0', runtime: null });
    assert.deepEqual(e.tags, { browser: 'Chrome 131.0.0', region: 'eu-west-1', feature_flag: 'new-cart', __fingerprint: '["{{ default }}","checkout-page"]', logger: 'javascript' });
    assert.deepEqual(e.debugImages, [{ type: 'sourcemap', codeFile: MAIN, debugId: 'c941c9a5-8f33-4c1e-9b2c-1d7a6d3e2f10' }]);
    assert.deepEqual(e.source, { kind: 'sentry', name: 'store', line: null });
    assert.equal(e.fingerprint, '');
    assert.deepEqual(e.fingerprintParts, []);
    const x = e.exceptions[0];
    assert.deepEqual(x.mechanism, { type: 'onerror', handled: false });
    assert.deepEqual(frameTuples(x.frames), [['renderWithHooks', VENDOR, 1], ['CartSummary', MAIN, 2], ['ProductList', MAIN, 2]]);
    assert.deepEqual(x.frames.map((f) => f.inApp), [false, true, true]);
    assert.equal(x.frames[2].column, 14523);
    assert.equal(x.frames[2].contextLine, '  return items.map((item) => <Row key={item.id} email="[email]" />);');
    assert.deepEqual(x.frames[2].preContext, ['function ProductList(props) {', '  const { items } = props.cart;']);
    // raw: scrubbed before it is stored
    for (const secret of ['jane.doe@example.com', 'eyJhbGciOiJIUzI1NiJ9', 'sid=s%3A', 'abc123def456', 'ops@example.com']) assert.ok(!e.raw.includes(secret), secret);
    assert.ok(e.raw.includes('"Authorization": "[redacted]"'));
  });

  it('firefox-typeerror.json: epoch-seconds timestamp, tags object, in_app guessed', () => {
    const e = only(normalizeFixture('sentry/firefox-typeerror.json'));
    assert.equal(e.timestamp, '2026-11-20T10:15:42.500Z');
    assert.equal(e.canonicalKind, 'null_property_access');
    assert.deepEqual(e.exceptions[0].frames.map((f) => f.inApp), [false, true, true]);
    assert.deepEqual(frameTuples(e.exceptions[0].frames).map((t) => t[0]), ['renderWithHooks', 'CartSummary', 'ProductList']);
  });

  it('safari-typeerror.json: device and OS strings, an e-mail-only user pseudonymised', () => {
    const e = only(normalizeFixture('sentry/safari-typeerror.json'));
    assert.deepEqual(e.contexts, { os: 'iOS 17.2', device: 'Apple iPhone15,2', browser: 'Mobile Safari 17.2', runtime: null });
    assert.match(e.userId ?? '', /^anon:[0-9a-f]{16}$/);
    assert.equal(e.canonicalKind, 'null_property_access');
  });

  it('node-unhandled.json: node platform, module kept, URL password scrubbed, microsecond timestamp', () => {
    const e = only(normalizeFixture('sentry/node-unhandled.json'));
    assert.equal(e.platform, 'node');
    assert.equal(e.severity, 'fatal');
    assert.equal(e.serverName, 'api-7f9c6d-x2k4p');
    assert.equal(e.timestamp, '2026-11-20T10:20:11.004Z');
    assert.equal(e.contexts.runtime, 'node v22.11.0');
    assert.equal(e.message, 'connect ECONNREFUSED 10.0.3.17:5432 for postgres://orders:[redacted]@db.internal:5432/orders');
    const frames = e.exceptions[0].frames;
    assert.deepEqual(frames.map((f) => [f.module, f.function, f.inApp]), [
      [null, 'process.processTicksAndRejections', false],
      [null, 'Pool.connect', false],
      ['services:order-service', 'OrderService.place', true],
      ['db:client', 'query', true],
    ]);
  });

  it('android-chained.json: chain oldest first, proguard image, device', () => {
    const e = only(normalizeFixture('sentry/android-chained.json'));
    assert.equal(e.platform, 'java');
    assert.deepEqual(e.exceptions.map((x) => `${x.module}.${x.type}`), ['android.database.sqlite.SQLiteException', 'java.lang.IllegalStateException']);
    assert.equal(e.errorType, 'IllegalStateException');
    assert.deepEqual(e.exceptions[1].frames.map((f) => `${f.module}.${f.function}:${f.line}`), [
      'android.app.ActivityThread.main:8177',
      'com.acme.shop.cart.CartActivity.onCreate:42',
      'com.acme.shop.cart.CartViewModel.lambda$refresh$0:118',
      'com.acme.shop.cart.CartRepository.load:61',
    ]);
    assert.deepEqual(e.debugImages, [{ type: 'proguard', codeFile: null, debugId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }]);
    assert.deepEqual(e.contexts, { os: 'Android 14', device: 'Google Pixel 8', browser: null, runtime: null });
    assert.equal(e.userId, '8812');
  });

  it('python-keyerror.json: timezone offset, card number scrubbed from the message', () => {
    const e = only(normalizeFixture('sentry/python-keyerror.json'));
    assert.equal(e.timestamp, '2026-11-20T09:25:00.000Z');
    assert.equal(e.message, 'could not charge customer cus_Q8x1 card [card]');
    assert.equal(e.contexts.runtime, 'CPython 3.11.9');
    assert.deepEqual(e.exceptions.map((x) => x.type), ['KeyError', 'ChargeError']);
    assert.deepEqual(e.exceptions[1].frames.map((f) => [f.module, f.function, f.inApp]), [
      ['celery.app.trace', '__protected_call__', false],
      ['billing.tasks', 'charge', true],
      ['billing.plans', 'price_for', true],
    ]);
    // IPs are kept by default (optional rule), so an IP-only user stays countable as is.
    assert.equal(e.userId, '198.51.100.7');
  });

  it('message-only.json: logentry params formatted, no exception', () => {
    const e = only(normalizeFixture('sentry/message-only.json'));
    assert.equal(e.message, 'Payment retry 3 of 5 for invoice inv_2026_0042');
    assert.equal(e.messageTemplate, 'Payment retry <num> of <num> for invoice inv_2026_0042');
    assert.equal(e.errorType, 'Message');
    assert.deepEqual(e.exceptions, []);
    assert.equal(e.severity, 'warning');
    assert.deepEqual(e.tags, { queue: 'payments' });
  });

  it('an event without event_id gets a deterministic id from its content', () => {
    const payload = '{"exception":{"values":[{"type":"Error","value":"x"}]}}';
    const a = only(normalizeReport(report(payload)));
    const b = only(normalizeReport(report(payload)));
    assert.match(a.id, /^[0-9a-f]{32}$/);
    assert.equal(a.id, b.id);
  });

  it('reads the crashed thread when the exception has no stack, and legacy shapes', () => {
    const payload = JSON.stringify({
      event_id: 'x1',
      platform: 'native',
      exception: [{ type: 'EXC_BAD_ACCESS', value: 'KERN_INVALID_ADDRESS' }],
      threads: { values: [{ id: 1, stacktrace: { frames: [{ function: 'idle' }] } }, { id: 2, crashed: true, stacktrace: { frames: [{ function: 'main', package: '/usr/bin/app' }, { function: 'crash', instruction_addr: '0x1' }] } }] },
    });
    const e = only(normalizeReport(report(payload)));
    assert.equal(e.platform, 'native');
    assert.deepEqual(e.exceptions[0].frames.map((f) => [f.function, f.module]), [['main', '/usr/bin/app'], ['crash', null]]);
  });
});
