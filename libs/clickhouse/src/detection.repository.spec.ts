import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deployMarkerId, inferredDeployId, isInferredDeployId } from './detection.repository';

describe('deploy marker ids', () => {
  it('follow the API rule: sha256 of project|environment|release|ISO time, 32 hex', () => {
    const expected = createHash('sha256').update('shop|production|1.2.0|2025-03-10T12:00:00.000Z').digest('hex').slice(0, 32);
    assert.equal(deployMarkerId('shop', 'production', '1.2.0', '2025-03-10T12:00:00.000Z'), expected);
    // one instant, two spellings: one marker
    assert.equal(deployMarkerId('shop', 'production', '1.2.0', '2025-03-10T14:00:00+02:00'), expected);
  });

  it('inferred markers are recognisable and do not depend on time', () => {
    const id = inferredDeployId('shop', 'production', '1.2.0');
    assert.ok(isInferredDeployId(id));
    assert.ok(!isInferredDeployId(deployMarkerId('shop', 'production', '1.2.0', '2025-03-10T12:00:00.000Z')));
    assert.notEqual(id, inferredDeployId('shop', 'staging', '1.2.0'));
  });
});
