import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashEvent, Frame } from '@faultline/schema';
import { normalizeFile, normalizeReport } from '@faultline/normalize';
import { computeFingerprint, globMatch, withFingerprint, type FingerprintRule } from './fingerprint';

const FIXTURES = join(__dirname, '..', '..', '..', 'tests', 'fixtures');
const AT = '2026-11-20T12:00:00.000Z';

function fromFixture(path: string): CrashEvent[] {
  return normalizeFile(path, readFileSync(join(FIXTURES, path)), { project: 'shop', receivedAt: AT }).events;
}

function fromText(text: string, name = 'x.log'): CrashEvent {
  const r = normalizeReport({ reportId: 'r', project: 'p', kind: 'log_text', receivedAt: AT, sourceName: name, payload: text });
  assert.equal(r.events.length, 1, JSON.stringify(r.rejected));
  return r.events[0];
}

function v8(message: string, frames: Array<[string, string, number]>): string {
  return [message, ...frames.map(([fn, file, line]) => `    at ${fn} (${file}:${line}:7)`)].join('\n');
}

describe('computeFingerprint', () => {
  it('is a 32-hex sha256 prefix with explaining parts', () => {
    const [e] = fromFixture('sentry/firefox-typeerror.json');
    const fp = computeFingerprint(e);
    assert.match(fp.fingerprint, /^[0-9a-f]{32}$/);
    assert.deepEqual(fp.parts, ['kind:null_property_access', 'frame:main.js:CartSummary', 'frame:main.js:ProductList']);
  });

  it('same bug, different line numbers, asset hashes and message variables → same fingerprint', () => {
    const a = fromText(v8("TypeError: Cannot read properties of undefined (reading 'id')", [['load', 'https://x.io/static/js/main.3f9a1c2b.js', 120], ['Page', 'https://x.io/static/js/main.3f9a1c2b.js', 40]]));
    const b = fromText(v8("TypeError: Cannot read properties of undefined (reading 'name')", [['load', 'https://x.io/static/js/main.77aa11bb.js', 131], ['Page', 'https://x.io/static/js/main.77aa11bb.js', 52]]));
    assert.equal(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
  });

  it('the same error in Chrome, Firefox and Safari → one fingerprint', () => {
    const prints = ['sentry/chrome-typeerror.json', 'sentry/firefox-typeerror.json', 'sentry/safari-typeerror.json'].map((p) => {
      const [e] = fromFixture(p);
      // The Chrome fixture carries an SDK fingerprint; compare the default grouping.
      const { __fingerprint: _drop, ...tags } = e.tags;
      return computeFingerprint({ ...e, tags }).fingerprint;
    });
    assert.equal(new Set(prints).size, 1);
  });

  it('different functions → different fingerprints', () => {
    const a = fromText(v8('TypeError: x is undefined', [['load', '/srv/app/a.js', 1], ['Page', '/srv/app/p.js', 2]]));
    const b = fromText(v8('TypeError: x is undefined', [['save', '/srv/app/a.js', 1], ['Page', '/srv/app/p.js', 2]]));
    assert.notEqual(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
  });

  it('different error kinds at the same place → different fingerprints', () => {
    const a = fromText(v8('TypeError: x is undefined', [['load', '/srv/app/a.js', 1]]));
    const b = fromText(v8('RangeError: Maximum call stack size exceeded', [['load', '/srv/app/a.js', 1]]));
    assert.notEqual(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
  });

  it('only in-app frames count when there are some; library frames otherwise', () => {
    const a = fromText(v8('Error: boom', [['lib', '/srv/node_modules/x/i.js', 1], ['mine', '/srv/app/a.js', 2]]));
    const b = fromText(v8('Error: boom', [['otherlib', '/srv/node_modules/y/i.js', 9], ['mine', '/srv/app/a.js', 5]]));
    assert.equal(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
    const libOnly = fromText(v8('Error: boom', [['lib', '/srv/node_modules/x/i.js', 1]]));
    assert.deepEqual(computeFingerprint(libOnly).parts, ['type:Error', 'frame:i.js:lib']);
  });

  it('deep recursion collapses: stack depth does not split an issue', () => {
    const deep = (n: number) => v8('RangeError: Maximum call stack size exceeded', [['crash', '/srv/a.js', 1], ...Array.from({ length: n }, (_, i) => ['recurse', '/srv/r.js', 10 + (i % 3)] as [string, string, number]), ['main', '/srv/m.js', 1]]);
    const a = computeFingerprint(fromText(deep(50)));
    const b = computeFingerprint(fromText(deep(9000)));
    assert.equal(a.fingerprint, b.fingerprint);
    assert.deepEqual(a.parts, ['kind:stack_overflow', 'frame:m.js:main', 'frame:r.js:recurse', 'frame:a.js:crash']);
  });

  it('no stack → the message template', () => {
    const a = fromText('2026-11-20T10:00:00Z ERROR [db] ConnectionError: lost connection to 10.0.0.5 after 3 retries');
    const b = fromText('2026-11-20T11:00:00Z ERROR [db] ConnectionError: lost connection to 10.0.0.9 after 5 retries');
    assert.deepEqual(computeFingerprint(a).parts, ['type:ConnectionError', 'message:lost connection to <ip> after <num> retries']);
    assert.equal(computeFingerprint(a).fingerprint, computeFingerprint(b).fingerprint);
    const [msg] = fromFixture('sentry/message-only.json');
    assert.deepEqual(computeFingerprint(msg).parts, ['type:Message', 'message:Payment retry <num> of <num> for invoice inv_2026_0042']);
  });

  it('Java: lambda indices and line numbers do not matter; suppressed exceptions do not count', () => {
    const [e] = fromFixture('text/java-caused-by.txt');
    const parts = computeFingerprint(e).parts;
    assert.deepEqual(parts, [
      'type:IllegalStateException',
      'cause:SocketTimeoutException',
      'cause:PaymentException',
      'frame:com.acme.orders.Main.main',
      'frame:com.acme.orders.OrderProcessor.processAll',
      'frame:com.acme.orders.OrderProcessor.lambda$processAll$',
      'frame:com.acme.orders.OrderProcessor.process',
    ]);
  });

  it('honours the SDK fingerprint with {{ default }}', () => {
    const [e] = fromFixture('sentry/chrome-typeerror.json');
    const fp = computeFingerprint(e);
    assert.deepEqual(fp.parts, ['kind:null_property_access', 'frame:main.js:CartSummary', 'frame:main.js:ProductList', 'custom:checkout-page']);
    const plain = computeFingerprint({ ...e, tags: { ...e.tags, __fingerprint: '["database-down"]' } });
    assert.deepEqual(plain.parts, ['custom:database-down']);
    const broken = computeFingerprint({ ...e, tags: { ...e.tags, __fingerprint: 'not json' } });
    assert.deepEqual(broken.parts, fp.parts.slice(0, 3));
  });

  it('project rules win over the SDK fingerprint and the default', () => {
    const [e] = fromFixture('sentry/chrome-typeerror.json');
    const rules: FingerprintRule[] = [
      { match: { errorType: 'ReferenceError' }, fingerprint: ['never'] },
      { match: { canonicalKind: 'null_property_access', tag: { key: 'feature_flag', value: 'new-cart' } }, fingerprint: ['new-cart-nulls', '{{ transaction }}'] },
    ];
    assert.deepEqual(computeFingerprint(e, rules).parts, ['custom:new-cart-nulls', 'transaction:/checkout']);
    const byFunction = computeFingerprint(e, [{ match: { function: 'Product*', messageContains: 'READING' }, fingerprint: ['{{ default }}', '{{ function }}'] }]);
    assert.deepEqual(byFunction.parts.slice(-1), ['function:ProductList']);
    const [java] = fromFixture('sentry/android-chained.json');
    assert.deepEqual(computeFingerprint(java, [{ match: { errorType: 'java.lang.*', module: 'com.acme.shop.cart.*' }, fingerprint: ['cart', '{{ tags.region }}'] }]).parts, ['custom:cart', 'tag:region=eu-central-1']);
    // A rule with no condition never matches.
    assert.notDeepEqual(computeFingerprint(java, [{ match: {}, fingerprint: ['all'] }]).parts, ['custom:all']);
  });

  it('resolved (symbolicated) frames group by their resolved names: two builds, one issue', () => {
    const [e] = fromFixture('sentry/safari-typeerror.json');
    const minified = (build: string, names: [string, string]): CrashEvent => {
      const frames: Frame[] = e.exceptions[0].frames.map((f, i) =>
        i === 0
          ? f
          : {
              ...f,
              function: names[i - 1],
              file: 'webpack:///src/cart.js',
              symbolication: { status: 'resolved', via: 'sourcemap', artifact: build },
              original: { function: `${build}${i}`, file: `https://x.io/main.${build}.js`, line: 1, column: i },
            },
      );
      return { ...e, exceptions: [{ ...e.exceptions[0], frames }] };
    };
    assert.equal(computeFingerprint(minified('aa11bb22', ['CartSummary', 'ProductList'])).fingerprint, computeFingerprint(minified('cc33dd44', ['CartSummary', 'ProductList'])).fingerprint);
    // A frame resolved into node_modules is library code, even if the bundle was marked in-app.
    const lib = minified('aa11bb22', ['CartSummary', 'ProductList']);
    lib.exceptions[0].frames[1] = { ...lib.exceptions[0].frames[1], file: 'webpack:///node_modules/react-dom/cjs/react-dom.js' };
    assert.deepEqual(computeFingerprint(lib).parts, ['kind:null_property_access', 'frame:cart.js:ProductList']);
  });

  it('withFingerprint fills the event without mutating it', () => {
    const [e] = fromFixture('text/go-panic.txt');
    const out = withFingerprint(e);
    assert.equal(e.fingerprint, '');
    assert.match(out.fingerprint, /^[0-9a-f]{32}$/);
    assert.deepEqual(out.fingerprintParts, ['kind:null_reference', 'frame:github.com/acme/ledger/internal/api.(*Handler).getBalance.func', 'frame:github.com/acme/ledger/internal/store.(*Store).Balance']);
  });

  it('every fixture event gets a fingerprint', () => {
    for (const p of ['sentry/node-unhandled.json', 'sentry/python-keyerror.json', 'native/android-crash.json', 'native/events.ndjson', 'logs/backend-mixed.log', 'text/browser-console.txt', 'text/python-chained.txt']) {
      for (const e of fromFixture(p)) assert.match(withFingerprint(e).fingerprint, /^[0-9a-f]{32}$/, p);
    }
  });
});

describe('globMatch', () => {
  it('matches * and ?', () => {
    assert.ok(globMatch('java.lang.*', 'java.lang.IllegalStateException'));
    assert.ok(globMatch('*Exception', 'IOException'));
    assert.ok(globMatch('a?c', 'abc'));
    assert.ok(!globMatch('a?c', 'abbc'));
    assert.ok(globMatch('*', ''));
    assert.ok(!globMatch('x*', 'yx'));
  });
});
