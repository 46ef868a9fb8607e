import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_THRESHOLD } from './assign';
import { kindAgreement, similarity } from './similarity';
import { sig } from './test-events';

// Framework plumbing under every browser crash: shared by unrelated bugs.
const REACT = ['!react-dom.production:dispatchDiscreteEvent', '!react-dom.production:batchedUpdates', '!react-dom.production:callCallback'];

const crashInX = sig('a'.repeat(32), [...REACT, 'checkout-page:onSubmit', 'cart-store:computeTotals', 'price:lineTotal']);
const crashInY = sig('b'.repeat(32), [...REACT, 'cart-summary:render', 'cart-store:computeTotals', 'tax:taxFor']);

describe('similarity', () => {
  it('is 1 for identical signatures', () => {
    assert.equal(similarity(crashInX, crashInX).score, 1);
    assert.equal(similarity(crashInX, { ...crashInX, fingerprint: 'other' }).stack, 1);
  });

  it('is symmetric and within 0..1 for any stacks', () => {
    const token = fc.constantFrom('a:f', 'b:g', 'c:h', 'd:i', 'e:j', '!lib/x:k', 'node:timers:listOnTimeout', 'app:main');
    const kind = fc.constantFrom('null_property_access', 'timeout', 'type_error', 'error');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), fc.array(token, { maxLength: 12 }), kind, kind, (fa, fb, ka, kb) => {
        const a = sig('a', fa, { canonicalKind: ka });
        const b = sig('b', fb, { canonicalKind: kb });
        const ab = similarity(a, b);
        const ba = similarity(b, a);
        assert.equal(ab.score, ba.score);
        assert.equal(ab.stack, ba.stack);
        assert.equal(ab.crashSite, ba.crashSite);
        assert.equal(ab.deepFrame, ba.deepFrame);
        assert.ok(ab.score >= 0 && ab.score <= 1);
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('is about 0 for unrelated issues', () => {
    const other = sig('c'.repeat(32), ['api:main', 'search-client:query', 'search-client:parseHits'], { canonicalKind: 'timeout', errorType: 'TimeoutError' });
    assert.ok(similarity(crashInX, other).score < 0.05);
  });

  it('gives frames shared only through framework plumbing little weight', () => {
    const a = sig('a', [...REACT, 'profile:render', 'avatar:initials']);
    const b = sig('b', [...REACT, 'orders:render', 'order-row:total']);
    const s = similarity(a, b);
    assert.ok(s.score < 0.1, `score ${s.score}`);
    assert.deepEqual(s.matchedFrames.slice(0, 1), [REACT[2].slice(1)]);
  });

  it('weights frames near the crash site more than frames near the entry point', () => {
    const base = ['app:boot', 'router:route', 'page:load', 'widget:draw'];
    const differentTop = sig('b', ['app:boot', 'router:route', 'page:load', 'chart:plot']);
    const differentBottom = sig('c', ['server:start', 'router:route', 'page:load', 'widget:draw']);
    const s = sig('a', base);
    assert.ok(similarity(s, differentBottom).stack > similarity(s, differentTop).stack);
  });

  it('aligns in order instead of counting a bag of frames', () => {
    const a = sig('a', ['m:one', 'm:two', 'm:three', 'm:four']);
    const reordered = sig('b', ['m:four', 'm:three', 'm:two', 'm:one']);
    assert.ok(similarity(a, reordered).stack < 0.5);
  });

  it('joins crash A in X and crash B in Y that both go through Z with the same kind of error', () => {
    const s = similarity(crashInX, crashInY);
    assert.equal(s.crashSite, 0);
    assert.equal(s.deepFrame, 1);
    assert.ok(s.score >= DEFAULT_THRESHOLD, `score ${s.score}`);
    assert.equal(s.matchedFrames[0], 'cart-store:computeTotals');
  });

  it('joins one crash site reached from different callers', () => {
    const fromQuickView = sig('e', [...REACT, 'quick-view:open', 'price:lineTotal']);
    const s = similarity(crashInX, fromQuickView);
    assert.equal(s.crashSite, 1);
    assert.ok(s.score >= DEFAULT_THRESHOLD);
  });

  it('keeps apart look-alike bugs: same error type and function name in another module', () => {
    const wishlist = sig('w', [...REACT, 'wishlist-page:render', 'wishlist:lineTotal']);
    assert.ok(similarity(crashInX, wishlist).score < DEFAULT_THRESHOLD - 0.2);
  });

  it('keeps apart two bugs that share only a caller two frames below their crash sites', () => {
    const coupon = sig('d', [...REACT, 'checkout-page:onSubmit', 'coupons:applyCoupon', 'coupon:discountFor']);
    const s = similarity(crashInX, coupon);
    assert.ok(s.score < DEFAULT_THRESHOLD, `score ${s.score}`);
  });

  it('keeps apart the same stack failing with different kinds of error', () => {
    const rangeError = { ...crashInX, fingerprint: 'r', errorType: 'RangeError', canonicalKind: 'invalid_array_length', messageTemplate: 'Invalid array length' };
    const s = similarity(crashInX, rangeError);
    assert.equal(s.kind, 0);
    assert.equal(s.stack, 1);
    assert.ok(s.score < 0.4);
  });

  it('down-weights frames most issues of the project pass through, given frame stats', () => {
    const a = sig('a', ['worker:main', 'worker:reprice', 'pricing:applyRules', 'bundle:evaluateBundle']);
    const b = sig('b', ['api:main', 'checkout:quote', 'pricing:applyRules', 'coupon:evaluateCoupon']);
    const counts = new Map([['pricing:applyRules', 90]]);
    const withStats = similarity(a, b, { frameStats: { documents: 100, counts } });
    assert.ok(similarity(a, b).score >= DEFAULT_THRESHOLD);
    assert.ok(withStats.score < DEFAULT_THRESHOLD, `score ${withStats.score}`);
  });

  it('keeps apart siblings: two helpers of Z failing for the same caller along the same path', () => {
    const siblingOfX = sig('s', [...REACT, 'checkout-page:onSubmit', 'cart-store:computeTotals', 'shipping:shippingFor']);
    const s = similarity(crashInX, siblingOfX);
    assert.ok(s.deepFrame < 0.25, `deepFrame ${s.deepFrame}`);
    assert.ok(s.score < DEFAULT_THRESHOLD, `score ${s.score}`);
  });

  it('does not take a dispatcher or an entry point for the shared frame Z', () => {
    const viaRunner = (fp: string, job: string) => sig(fp, ['worker:main', 'runner:tick', 'runner:executeJob', `${job}:run`]);
    assert.ok(similarity(viaRunner('a', 'digest'), viaRunner('b', 'export')).score < DEFAULT_THRESHOLD);
    const viaPage = (fp: string, helper: string) => sig(fp, [...REACT, 'account-page:AccountPage', `${helper}:${helper}`]);
    assert.ok(similarity(viaPage('a', 'estimateReview'), viaPage('b', 'computeVoucher')).score < DEFAULT_THRESHOLD);
  });

  it('joins callers meeting the same environmental failure in one library frame, not code bugs', () => {
    const knex = ['!runner:run', '!client:acquireConnection'];
    const pool = { canonicalKind: 'knex_timeout_error', errorType: 'KnexTimeoutError', messageTemplate: 'Knex: Timeout acquiring a connection. The pool is probably full.' };
    const orders = sig('a', ['!node:task_queues:processTicksAndRejections', 'orders-controller:list', 'orders-repository:findByUser', ...knex], pool);
    const users = sig('b', ['!node:task_queues:processTicksAndRejections', 'users-controller:get', 'users-repository:findById', ...knex], pool);
    assert.equal(similarity(orders, users).crashSite, 1);
    assert.ok(similarity(orders, users).score >= DEFAULT_THRESHOLD);
    const npe = { canonicalKind: 'null_reference', errorType: 'NullPointerException' };
    const requireNonNull = '!java.util.Objects:requireNonNull';
    const cart = sig('c', ['com.shop.CartActivity:onCreate', 'com.shop.CartPresenter:load', requireNonNull], npe);
    const search = sig('d', ['com.shop.SearchActivity:onCreate', 'com.shop.SearchPresenter:query', requireNonNull], npe);
    assert.ok(similarity(cart, search).score < DEFAULT_THRESHOLD - 0.2);
  });

  it('compares root-cause stacks when a wrapper exception hides them', () => {
    const wrapper = ['!android.app.ActivityThread:performLaunchActivity', '!android.app.ActivityThread:handleLaunchActivity'];
    const cause = (...frames: string[]) => ({ causeFrames: frames, causeInApp: frames.map(() => true) });
    const a = sig('a', wrapper, cause('com.shop.ProfileActivity:onResume', 'com.shop.ProfilePresenter:present', 'com.shop.ProfileHeaderView:bindHeader'));
    const b = sig('b', wrapper, cause('com.shop.SettingsActivity:onResume', 'com.shop.ProfilePresenter:present', 'com.shop.AvatarLoader:load'));
    const c = sig('c', wrapper, cause('com.shop.CartActivity:onResume', 'com.shop.CartPresenter:present', 'com.shop.CartAdapter:bind'));
    assert.ok(similarity(a, b).score >= DEFAULT_THRESHOLD);
    assert.ok(similarity(a, c).score < DEFAULT_THRESHOLD);
  });

  it('is 0 across projects', () => {
    assert.equal(similarity(crashInX, { ...crashInX, project: 'other' }).score, 0);
  });
});

describe('kindAgreement', () => {
  it('is 1 for the same canonical kind, 0.5 for compatible kinds, 0 otherwise', () => {
    const a = sig('a', []);
    assert.equal(kindAgreement(a, sig('b', [])), 1);
    assert.equal(kindAgreement(a, sig('b', [], { canonicalKind: 'null_pointer', errorType: 'NullPointerException' })), 0.5);
    assert.equal(kindAgreement(a, sig('b', [], { canonicalKind: 'timeout', errorType: 'TimeoutError' })), 0);
  });

  it('falls back to error type and message shape when the kind is generic', () => {
    const a = sig('a', [], { canonicalKind: 'error', errorType: 'KeyError', messageTemplate: "'<str>'" });
    assert.equal(kindAgreement(a, { ...a, fingerprint: 'b' }), 1);
    assert.equal(kindAgreement(a, { ...a, messageTemplate: 'other' }), 0.5);
    assert.equal(kindAgreement(a, { ...a, errorType: 'ValueError' }), 0);
  });
});
