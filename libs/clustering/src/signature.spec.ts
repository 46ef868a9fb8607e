import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanFunction, fileKey, frameToken, signatureOf, stripHashes } from './signature';
import { crashEvent, exception } from './test-events';

describe('frameToken', () => {
  it('names a frame by file basename and function, without build hash, extension or line', () => {
    const a = frameToken({ file: 'https://shop.example.com/static/js/cart.3f9a2c1b.chunk.js', function: 'lineTotal', module: null }, 'javascript');
    const b = frameToken({ file: 'https://shop.example.com/static/js/cart.81bb0e4d.chunk.js', function: 'lineTotal', module: null }, 'javascript');
    assert.equal(a, 'cart.chunk:lineTotal');
    assert.equal(a, b);
  });

  it('gives the same token for Chrome, Firefox and Safari spellings of a function', () => {
    const file = 'app.js';
    const tokens = ['CartStore.computeTotals', 'computeTotals', 'computeTotals/<', 'async CartStore.computeTotals', 'CartStore.prototype.computeTotals'].map((fn) =>
      frameToken({ file, function: fn, module: null }, 'javascript'),
    );
    assert.deepEqual(new Set(tokens), new Set(['app:computeTotals']));
  });

  it('uses the resolved name, not the minified original', () => {
    const ev = crashEvent({ frames: [['src/cart/price.ts', 'lineTotal']] });
    ev.exceptions[0].frames[0].original = { function: 'a.b', file: 'main.9f8e7d6c.js', line: 1, column: 3456 };
    assert.deepEqual(signatureOf(ev).frames, ['price:lineTotal']);
  });

  it('keys a file by basename, so SDK-relative and log-absolute paths agree, keeping the folder of an index file', () => {
    assert.equal(fileKey('/srv/venv/lib/python3.11/site-packages/redis/connection.py'), fileKey('redis/connection.py'));
    assert.equal(fileKey('/srv/shop/cache.py'), 'cache');
    assert.equal(fileKey('/app/node_modules/knex/lib/client.js'), 'client');
    assert.equal(fileKey('webpack:///src/cart/index.ts'), 'cart/index');
    assert.equal(fileKey('/srv/shop/jobs/__init__.py'), 'jobs/__init__');
    assert.equal(fileKey('node:internal/process/task_queues'), 'node:task_queues');
    assert.equal(fileKey('app:///dist/catalog/products-controller.js'), 'products-controller');
  });

  it('strips content hashes but not words', () => {
    assert.equal(stripHashes('index-BfZ3kq9a'), 'index');
    assert.equal(stripHashes('vendors~main.a1b2c3d4'), 'vendors~main');
    assert.equal(stripHashes('checkout-summary'), 'checkout-summary');
  });

  it('uses the Java class and strips compiler numbering', () => {
    assert.equal(frameToken({ module: 'com.shop.ui.CartFragment$1', function: 'onClick', file: 'CartFragment.java' }, 'java'), 'com.shop.ui.CartFragment$:onClick');
    assert.equal(frameToken({ module: null, function: 'com.shop.ui.CartFragment.lambda$onCreate$0', file: 'CartFragment.java' }, 'android'), 'com.shop.ui.CartFragment:lambda$onCreate');
  });

  it('cleans Go closures and V8 aliases', () => {
    assert.equal(cleanFunction('main.(*Cart).Total.func2.1', 'go'), 'main.(*Cart).Total.func');
    assert.equal(cleanFunction('Object.handler [as onMessage]', 'js'), 'handler');
    assert.equal(cleanFunction('Object.<anonymous>', 'js'), '<anonymous>');
    assert.equal(cleanFunction('', 'js'), '?');
  });
});

describe('signatureOf', () => {
  it('keeps frames oldest-first with the crash site last, and in-app flags in parallel', () => {
    const ev = crashEvent({ frames: [['node_modules/react-dom/index.js', 'dispatchEvent', false], ['src/cart/checkout.ts', 'submit'], ['src/cart/price.ts', 'lineTotal']] });
    const s = signatureOf(ev);
    assert.deepEqual(s.frames, ['react-dom/index:dispatchEvent', 'checkout:submit', 'price:lineTotal']);
    assert.deepEqual(s.inApp, [false, true, true]);
    assert.equal(s.canonicalKind, 'null_property_access');
    assert.deepEqual(s.causeFrames, []);
  });

  it('collapses recursion so overflows of different depths compare equal', () => {
    const recursion = (n: number) => [['menu.ts', 'render'] as [string, string], ...Array.from({ length: n }, (_, i) => ['tree.ts', i % 2 ? 'walk' : 'visit'] as [string, string])];
    assert.deepEqual(signatureOf(crashEvent({ frames: recursion(300) })).frames, signatureOf(crashEvent({ frames: recursion(1000) })).frames);
    assert.ok(signatureOf(crashEvent({ frames: recursion(1000) })).frames.length <= 4);
  });

  it('takes the root cause from the first exception of a chain', () => {
    const ev = crashEvent({});
    ev.exceptions = [
      exception('NullPointerException', 'x', [['ProfilePresenter.java', 'com.shop.ProfilePresenter.present'], ['ProfileFragment.java', 'com.shop.ProfileFragment.bind']]),
      exception('RuntimeException', 'Unable to start activity', [['ActivityThread.java', 'android.app.ActivityThread.performLaunchActivity', false]]),
    ];
    const s = signatureOf({ ...ev, platform: 'java' });
    assert.deepEqual(s.frames, ['android.app.ActivityThread:performLaunchActivity']);
    assert.deepEqual(s.causeFrames, ['com.shop.ProfilePresenter:present', 'com.shop.ProfileFragment:bind']);
    assert.deepEqual(s.causeInApp, [true, true]);
  });
});
