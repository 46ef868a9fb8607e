import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parameterizeMessage, stripAssetHash } from './parameterize';

describe('parameterizeMessage', () => {
  const cases: Array<[string, string]> = [
    ['order 1234 failed after 500ms', 'order <num> failed after <num>ms'],
    ['user 3f9a1c2b-7d4e-4f1a-9b2c-1d7a6d3e2f10 not found', 'user <uuid> not found'],
    ['mail to jane@example.com bounced', 'mail to <email> bounced'],
    ['connect ECONNREFUSED 10.0.3.17:5432', 'connect ECONNREFUSED <ip>'],
    ['GET https://api.example.com/v1/orders/77?x=1 failed', 'GET <url> failed'],
    ["KeyError 'user_123'", 'KeyError <str>'],
    ['can\'t access property "x", a is undefined', 'can\'t access property <str>, a is undefined'],
    ['bad pointer 0x7ffd1c2b3a40', 'bad pointer <hex>'],
    ['object 507f1f77bcf86cd799439011 missing', 'object <hex> missing'],
    ['Loading chunk app.3f9a1c2b.js failed', 'Loading chunk app.<hash>.js failed'],
    ['failed in index-B2xYz9Qa.js', 'failed in index-<hash>.js'],
    ['v1.2.3 of utf8 on ES2023 with i18n', 'v1.2.3 of utf8 on ES2023 with i18n'],
    ['took 10:00:01 and -5 tries', 'took <num> and <num> tries'],
  ];
  for (const [input, expected] of cases) it(input, () => assert.equal(parameterizeMessage(input), expected));

  it('two variants of one message share a template', () => {
    assert.equal(parameterizeMessage('Order 1 of user 11111111-2222-4333-8444-555555555555 failed'), parameterizeMessage('Order 99 of user aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee failed'));
  });
});

describe('stripAssetHash', () => {
  const cases: Array<[string, string]> = [
    ['https://cdn.example.com/static/js/main.3f9a1c2b.js', 'https://cdn.example.com/static/js/main.js'],
    ['vendor.8b7c6d5e.chunk.js?v=3', 'vendor.chunk.js'],
    ['/assets/index-B2xYz9Qa.js', '/assets/index.js'],
    ['/assets/ProductList-BxYzQaWe.js', '/assets/ProductList.js'],
    ['chunk-ABCD1234.js', 'chunk.js'],
    ['main.js', 'main.js'],
    ['date-fns-Timezone.js', 'date-fns-Timezone.js'],
    ['/srv/app/server.ts', '/srv/app/server.ts'],
    ['app.facade.js', 'app.facade.js'],
  ];
  for (const [input, expected] of cases) it(input, () => assert.equal(stripAssetHash(input), expected));
  it('can replace instead of remove', () => assert.equal(stripAssetHash('main.3f9a1c2b.js', '<hash>'), 'main.<hash>.js'));
});
