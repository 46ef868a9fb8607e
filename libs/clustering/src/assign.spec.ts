import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignIssue, type ClusterCandidate, newClusterId } from './assign';
import { clusterTitle } from './title';
import { sig } from './test-events';

const REACT = ['!react-dom.production:dispatchDiscreteEvent', '!react-dom.production:callCallback'];
const fp = (c: string) => c.repeat(40);

const crashInX = sig(fp('a'), [...REACT, 'checkout-page:onSubmit', 'cart-store:computeTotals', 'price:lineTotal']);
const crashInY = sig(fp('b'), [...REACT, 'cart-summary:render', 'cart-store:computeTotals', 'tax:taxFor']);
const wishlist = sig(fp('c'), [...REACT, 'wishlist-page:render', 'wishlist:lineTotal']);
const timeout = sig(fp('d'), ['server:main', 'search-controller:list', 'search-client:query'], { canonicalKind: 'timeout', errorType: 'TimeoutError' });

const clusters: ClusterCandidate[] = [
  { clusterId: 'cl_cart', members: [crashInX] },
  { clusterId: 'cl_wishlist', members: [wishlist] },
  { clusterId: 'cl_search', members: [timeout] },
];

describe('assignIssue', () => {
  it('opens a new cluster with a deterministic id from the fingerprint', () => {
    const a = assignIssue(crashInX, []);
    assert.equal(a.clusterId, `cl_${'a'.repeat(24)}`);
    assert.equal(a.clusterId, newClusterId(crashInX.fingerprint));
    assert.equal(a.isNewCluster, true);
    assert.deepEqual(assignIssue(crashInX, []), a);
  });

  it('joins crash Y to the cluster of crash X through the shared frame Z', () => {
    const a = assignIssue(crashInY, clusters);
    assert.equal(a.clusterId, 'cl_cart');
    assert.equal(a.isNewCluster, false);
    assert.equal(a.evidence.bestMatchFingerprint, crashInX.fingerprint);
    assert.ok(a.evidence.matchedFrames.includes('cart-store:computeTotals'));
    assert.ok(a.confidence > 0.5);
  });

  it('keeps distinct look-alike bugs apart, and says how clearly nothing matched', () => {
    const lookAlike = sig(fp('e'), [...REACT, 'profile-page:render', 'address:format']);
    const a = assignIssue(lookAlike, clusters);
    assert.equal(a.isNewCluster, true);
    assert.equal(a.clusterId, newClusterId(lookAlike.fingerprint));
    assert.ok(a.confidence > 0.9, `confidence ${a.confidence}`);
  });

  it('never joins across kinds of error, however alike the stacks', () => {
    const rangeError = { ...crashInX, fingerprint: fp('f'), errorType: 'RangeError', canonicalKind: 'invalid_array_length', messageTemplate: 'Invalid array length' };
    assert.equal(assignIssue(rangeError, clusters).isNewCluster, true);
  });

  it('does not depend on the order of candidates or their ids', () => {
    const reversed = [...clusters].reverse();
    assert.deepEqual(assignIssue(crashInY, reversed), assignIssue(crashInY, clusters));
    const twins: ClusterCandidate[] = [
      { clusterId: 'cl_2', members: [crashInX] },
      { clusterId: 'cl_1', members: [{ ...crashInX, fingerprint: fp('9') }] },
    ];
    assert.equal(assignIssue(crashInY, twins).clusterId, 'cl_1');
    assert.equal(assignIssue(crashInY, [...twins].reverse()).clusterId, 'cl_1');
  });

  it('returns the same cluster on a replay, with full confidence', () => {
    const a = assignIssue(crashInX, clusters);
    assert.equal(a.clusterId, 'cl_cart');
    assert.equal(a.confidence, 1);
    const founded = assignIssue(crashInY, [{ clusterId: newClusterId(crashInY.fingerprint), members: [] }]);
    assert.equal(founded.isNewCluster, false);
    assert.equal(founded.clusterId, newClusterId(crashInY.fingerprint));
  });

  it('ignores members of other projects', () => {
    const elsewhere: ClusterCandidate[] = [{ clusterId: 'cl_x', members: [{ ...crashInX, project: 'other' }] }];
    assert.equal(assignIssue(crashInY, elsewhere).isNewCluster, true);
  });

  it('refuses an issue without a fingerprint instead of founding `cl_`', () => {
    assert.throws(() => assignIssue({ ...crashInX, fingerprint: '' }, clusters), TypeError);
  });

  it('reports confidence as the calibrated chance the closest cluster is the same root cause', () => {
    const joined = assignIssue(crashInY, clusters);
    const nothingClose = assignIssue(timeout, [{ clusterId: 'cl_cart', members: [crashInX] }]);
    assert.ok(joined.confidence > 0.5 && joined.confidence < 1);
    assert.equal(nothingClose.isNewCluster, true);
    assert.ok(nothingClose.confidence > 0.99);
  });

  it('honours a stricter threshold', () => {
    assert.equal(assignIssue(crashInY, clusters, { threshold: 0.99 }).isNewCluster, true);
  });
});

describe('clusterTitle', () => {
  it('names type, message and top in-app frame', () => {
    assert.equal(clusterTitle(crashInX, "Cannot read properties of undefined (reading 'price')\nmore"), "TypeError: Cannot read properties of undefined (reading 'price') in price:lineTotal");
  });

  it('falls back to the template and truncates long messages', () => {
    assert.equal(clusterTitle(timeout, ''), "TimeoutError: Cannot read properties of undefined (reading '<str>') in search-client:query");
    assert.ok(clusterTitle(timeout, 'x'.repeat(500)).length < 160);
  });
});
