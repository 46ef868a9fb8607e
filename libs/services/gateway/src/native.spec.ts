import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitNativeEvents, type NativeEventText } from './native';
import { sanitizeSourceName } from './ingest.service';

function events(body: string): NativeEventText[] {
  const result = splitNativeEvents(body);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.events;
}

describe('splitNativeEvents', () => {
  it('splits a JSON array, keeping each element’s text verbatim', () => {
    const body = '[ {"id":"a","n":[1,{"x":"],\\"{"}]} ,\n {"id": 7, "big": 18446744073709551615}, "odd", {"no_id":true} ]';
    assert.deepEqual(events(body), [
      { text: '{"id":"a","n":[1,{"x":"],\\"{"}]}', id: 'a' },
      { text: '{"id": 7, "big": 18446744073709551615}', id: '7' },
      { text: '"odd"', id: null },
      { text: '{"no_id":true}', id: null },
    ]);
    assert.deepEqual(events('[]'), []);
  });

  it('reads NDJSON, skipping blank lines, forwarding lines that are not JSON', () => {
    assert.deepEqual(events('{"id":"a"}\r\n\n  {"id":"b"}\n{broken\n'), [
      { text: '{"id":"a"}', id: 'a' },
      { text: '{"id":"b"}', id: 'b' },
      { text: '{broken', id: null },
    ]);
  });

  it('reads one (pretty-printed) object as one event', () => {
    assert.deepEqual(events('{\n  "id": "only",\n  "message": "x"\n}\n'), [{ text: '{\n  "id": "only",\n  "message": "x"\n}', id: 'only' }]);
  });

  it('refuses an array that does not parse: its events cannot be told apart', () => {
    const result = splitNativeEvents('[{"id":"a"}, {"id":');
    assert.equal(result.ok, false);
  });

  it('finds nothing in an empty body', () => {
    assert.deepEqual(events('  \n '), []);
  });
});

describe('sanitizeSourceName', () => {
  it('keeps a safe, relative, short path', () => {
    assert.equal(sanitizeSourceName('backend/app.log'), 'backend/app.log');
    assert.equal(sanitizeSourceName('/var/../etc/passwd'), 'var/etc/passwd');
    assert.equal(sanitizeSourceName('console dump <script>.txt'), 'console_dump_script_.txt');
    assert.equal(sanitizeSourceName('x'.repeat(500))?.length, 200);
    assert.equal(sanitizeSourceName('../..'), null);
    assert.equal(sanitizeSourceName(undefined), null);
  });
});
