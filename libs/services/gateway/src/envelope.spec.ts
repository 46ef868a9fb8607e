import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope, type Envelope } from './envelope';

function parsed(body: string | Buffer): Envelope {
  const result = parseEnvelope(Buffer.isBuffer(body) ? body : Buffer.from(body));
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.envelope;
}

function failure(body: string | Buffer): string {
  const result = parseEnvelope(Buffer.isBuffer(body) ? body : Buffer.from(body));
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
}

describe('parseEnvelope', () => {
  it('reads an item without length up to the next newline', () => {
    const envelope = parsed('{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"message":"hello"}\n');
    assert.deepEqual(envelope.header, { event_id: '9ec79c33ec9942ab8353589fcb2e04dc' });
    assert.equal(envelope.items.length, 1);
    assert.equal(envelope.items[0].type, 'event');
    assert.equal(envelope.items[0].payload.toString(), '{"message":"hello"}');
  });

  it('reads exactly `length` bytes, newlines included', () => {
    const payload = '{"message":"a\nb"}';
    const envelope = parsed(`{}\n{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}\n{"type":"session"}\n{"sid":"x"}`);
    assert.deepEqual(
      envelope.items.map((i) => [i.type, i.payload.toString()]),
      [
        ['event', payload],
        ['session', '{"sid":"x"}'],
      ],
    );
  });

  it('counts length in bytes, not characters', () => {
    const payload = '{"message":"é☃"}';
    const envelope = parsed(`{}\n{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}`);
    assert.equal(envelope.items[0].payload.toString(), payload);
  });

  it('reads several items, with and without a trailing newline', () => {
    for (const end of ['', '\n', '\n\n']) {
      const envelope = parsed(`{}\n{"type":"event"}\n{"a":1}\n{"type":"client_report"}\n{"b":2}${end}`);
      assert.deepEqual(
        envelope.items.map((i) => i.type),
        ['event', 'client_report'],
        `trailing ${JSON.stringify(end)}`,
      );
      assert.equal(envelope.items[1].payload.toString(), '{"b":2}');
    }
  });

  it('keeps a binary attachment of the given length intact', () => {
    const binary = Buffer.from([0x00, 0x0a, 0xff, 0x0a, 0x0d, 0x7b, 0x00]);
    const body = Buffer.concat([
      Buffer.from(`{"event_id":"x"}\n{"type":"attachment","length":${binary.length},"filename":"core.bin"}\n`),
      binary,
      Buffer.from('\n{"type":"event","length":2}\n{}'),
    ]);
    const envelope = parsed(body);
    assert.equal(envelope.items.length, 2);
    assert.deepEqual(envelope.items[0].payload, binary);
    assert.equal(envelope.items[0].header['filename'], 'core.bin');
    assert.equal(envelope.items[1].payload.toString(), '{}');
  });

  it('accepts an envelope with a header only, and an empty payload', () => {
    assert.deepEqual(parsed('{"sent_at":"2026-01-01T00:00:00Z"}').items, []);
    assert.deepEqual(parsed('{}\n').items, []);
    const envelope = parsed('{}\n{"type":"event","length":0}\n\n');
    assert.equal(envelope.items[0].payload.length, 0);
  });

  it('tolerates CRLF line ends', () => {
    const envelope = parsed('{}\r\n{"type":"event"}\r\n{"a":1}\r\n');
    assert.equal(envelope.items.length, 1);
    assert.deepEqual(JSON.parse(envelope.items[0].payload.toString()), { a: 1 });
  });

  it('refuses a header that is not a JSON object', () => {
    assert.match(failure('not json\n{"type":"event"}\n{}'), /envelope header/);
    assert.match(failure('[1,2]\n'), /envelope header/);
    assert.match(failure(''), /envelope header/);
  });

  it('refuses broken item headers and lengths', () => {
    assert.match(failure('{}\n{"type":"event"'), /item 0: the item header is not a JSON object/);
    assert.match(failure('{}\n{"length":2}\n{}'), /item 0: the item header has no type/);
    assert.match(failure('{}\n{"type":"event","length":-1}\n'), /non-negative integer/);
    assert.match(failure('{}\n{"type":"event","length":"3"}\n{}\n'), /non-negative integer/);
    assert.match(failure('{}\n{"type":"event","length":100}\n{}'), /declares 100 bytes but only 2 remain/);
    assert.match(failure('{}\n{"type":"event","length":2}\n{}X{"type":"event"}\n{}'), /not followed by a newline/);
  });

  it('keeps a malformed event payload as bytes: judging it is the normalizer’s job', () => {
    const envelope = parsed('{}\n{"type":"event"}\n{"message": oops\n');
    assert.equal(envelope.items[0].payload.toString(), '{"message": oops');
  });
});
