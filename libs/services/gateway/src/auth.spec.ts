import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromDsn, keysEqual, nativeCredentials, parseSentryAuth, sentryCredentials } from './auth';
import { ConfigProjectStore } from './project-store';

describe('parseSentryAuth', () => {
  it('reads the fields SDKs send', () => {
    assert.deepEqual(parseSentryAuth('Sentry sentry_key=abc123, sentry_version=7, sentry_client=sentry.javascript.node/11.12.0'), {
      sentry_key: 'abc123',
      sentry_version: '7',
      sentry_client: 'sentry.javascript.node/11.12.0',
    });
  });

  it('tolerates a missing prefix, odd spacing, case and quotes', () => {
    assert.deepEqual(parseSentryAuth('  SENTRY   Sentry_Key="k1" ,sentry_version=7,,junk'), { sentry_key: 'k1', sentry_version: '7' });
    assert.deepEqual(parseSentryAuth('sentry_key=k2'), { sentry_key: 'k2' });
    assert.deepEqual(parseSentryAuth(''), {});
  });
});

describe('credentials', () => {
  it('prefers X-Sentry-Auth, then Authorization, then the query', () => {
    assert.deepEqual(
      sentryCredentials({ 'x-sentry-auth': 'Sentry sentry_key=a, sentry_client=sdk/1', authorization: 'Bearer b' }, { sentry_key: 'c' }),
      { publicKey: 'a', source: 'x-sentry-auth', client: 'sdk/1' },
    );
    assert.equal(sentryCredentials({ authorization: 'Bearer b' }, { sentry_key: 'c' })?.publicKey, 'b');
    assert.deepEqual(sentryCredentials({}, { sentry_key: 'c', sentry_version: '7', sentry_client: 'sdk/2' }), {
      publicKey: 'c',
      source: 'query',
      client: 'sdk/2',
    });
    assert.equal(sentryCredentials({}, { sentry_key: ['d', 'e'] })?.publicKey, 'd');
  });

  it('reads Authorization: Sentry …, DSN … and Bearer …', () => {
    assert.equal(sentryCredentials({ authorization: 'Sentry sentry_key=k1, sentry_version=7' }, {})?.publicKey, 'k1');
    assert.equal(sentryCredentials({ authorization: 'DSN https://k2@o1.ingest.example.com/42' }, {})?.publicKey, 'k2');
    assert.equal(sentryCredentials({ authorization: 'Bearer k3' }, {})?.publicKey, 'k3');
    assert.equal(sentryCredentials({ authorization: 'Basic dXNlcjpwYXNz' }, {}), null);
  });

  it('finds nothing when no key is sent', () => {
    assert.equal(sentryCredentials({ 'x-sentry-auth': 'Sentry sentry_version=7' }, {}), null);
    assert.equal(sentryCredentials({}, { sentry_key: '' }), null);
    assert.equal(nativeCredentials({ authorization: 'Bearer' }, {}), null);
  });

  it('reads native keys from Bearer, X-Faultline-Key or the query', () => {
    assert.equal(nativeCredentials({ authorization: 'bearer n1' }, {})?.publicKey, 'n1');
    assert.equal(nativeCredentials({ 'x-faultline-key': ' n2 ' }, {})?.source, 'x-faultline-key');
    assert.equal(nativeCredentials({}, { sentry_key: 'n3' })?.publicKey, 'n3');
  });

  it('takes the key from a DSN', () => {
    assert.equal(keyFromDsn('http://public@127.0.0.1:8000/42'), 'public');
    assert.equal(keyFromDsn('http://127.0.0.1:8000/42'), null);
    assert.equal(keyFromDsn('not a url'), null);
  });
});

describe('key comparison and the config project store', () => {
  it('compares keys of any length', () => {
    assert.equal(keysEqual('abcdefabcdefabcdef', 'abcdefabcdefabcdef'), true);
    assert.equal(keysEqual('abcdefabcdefabcdef', 'abcdefabcdefabcdeX'), false);
    assert.equal(keysEqual('abcdefabcdefabcdef', 'abc'), false);
    assert.equal(keysEqual('', ''), true);
  });

  it('finds projects by id and by key', async () => {
    const store = new ConfigProjectStore([
      { id: 'web', publicKey: 'k-web-0123456789abcdef' },
      { id: '42', name: 'Backend', publicKey: 'k-42-0123456789abcdef' },
    ]);
    assert.equal((await store.findByKey('k-42-0123456789abcdef'))?.id, '42');
    assert.equal((await store.get('42'))?.name, 'Backend');
    assert.equal((await store.get('web'))?.name, 'web');
    assert.equal(await store.findByKey('k-42-0123456789abcdeX'), null);
    assert.equal(await store.get('nope'), null);
  });
});
