import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCRUB_RULES, type ScrubRules } from './options';
import { isCardNumber, scrubText, validateScrubRules } from './scrub';

const R = DEFAULT_SCRUB_RULES;
const NONE: ScrubRules = { emails: false, creditCards: false, authHeaders: false, tokens: false, urlPasswords: false, ipAddresses: false, extraPatterns: [] };

describe('scrubText', () => {
  const cases: Array<[string, string]> = [
    ['mail jane.doe+x@example.co.uk now', 'mail [email] now'],
    ['card 4111 1111 1111 1111 ok', 'card [card] ok'],
    ['card 4111-1111-1111-1111.', 'card [card].'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: [redacted]'],
    ['"headers":{"Cookie":"sid=1; x=2","X-Api-Key":"k_123"}', '"headers":{"Cookie":"[redacted]","X-Api-Key":"[redacted]"}'],
    ['[["Authorization","Basic dXNlcjpwYXNz"]]', '[["Authorization","[redacted]"]]'],
    ['{\\"authorization\\":\\"Bearer x1\\"}', '{\\"authorization\\":\\"[redacted]\\"}'],
    ['called with Bearer abcdefgh12345678', 'called with Bearer [token]'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl end', 'jwt [token] end'],
    ['keys sk_live_0123456789abcdef AKIAIOSFODNN7EXAMPLE ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'keys [token] [token] [token]'],
    ['?session_token=abc&page=2', '?session_token=[redacted]&page=2'],
    ['{"password": "hunter2", "user": "bob"}', '{"password": "[redacted]", "user": "bob"}'],
    ['client_secret=s3cr3t', 'client_secret=[redacted]'],
    ['postgres://orders:s3cr3tpw@db.internal:5432/orders', 'postgres://orders:[redacted]@db.internal:5432/orders'],
  ];
  for (const [input, expected] of cases) it(`scrubs ${input.slice(0, 40)}`, () => assert.equal(scrubText(input, R), expected));

  it('leaves look-alikes alone', () => {
    for (const s of ['ts 1795169742123 ms', 'order 4111111111111112', 'Basic auth failed', 'a@b', 'version 1.2.3.4', 'https://example.com/path', 'tokens: 5']) {
      assert.equal(scrubText(s, R), s, s);
    }
  });

  it('IPs only when asked', () => {
    const s = 'from 203.0.113.42 and 2001:db8::8a2e:370:7334';
    assert.equal(scrubText(s, R), s);
    assert.equal(scrubText(s, { ...R, ipAddresses: true }), 'from [ip] and [ip]');
  });

  it('each rule can be turned off', () => {
    const s = 'x jane@example.com 4111111111111111 Authorization: y';
    assert.equal(scrubText(s, NONE), s);
    assert.equal(scrubText(s, { ...NONE, emails: true }), 'x [email] 4111111111111111 Authorization: y');
  });

  it('extra patterns, invalid ones skipped, validation throws for config', () => {
    assert.equal(scrubText('order ORD-12345 ok', { ...NONE, extraPatterns: ['ORD-\\d+', '(unclosed'] }), 'order [redacted] ok');
    assert.throws(() => validateScrubRules({ ...NONE, extraPatterns: ['(unclosed'] }));
  });

  it('Luhn and issuer prefixes', () => {
    assert.equal(isCardNumber('4111111111111111'), true);
    assert.equal(isCardNumber('5500 0000 0000 0004'), true);
    assert.equal(isCardNumber('1795169742123'), false);
    assert.equal(isCardNumber('4111111111111112'), false);
  });
});
