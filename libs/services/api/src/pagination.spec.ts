import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors';
import { decodeCursor, decodeTimeCursor, encodeCursor, nextLink, pageOf } from './pagination';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? error.code : 'other';
  }
  return 'none';
};

describe('cursors', () => {
  it('round-trip the sort key and id, and belong to one sort', () => {
    const cursor = encodeCursor('count', { key: 42, id: 'cl_a' });
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor, 'count'), { key: 42, id: 'cl_a' });
    assert.equal(code(() => decodeCursor(cursor, 'impact')), 'invalid_cursor');
    assert.equal(decodeCursor(undefined, 'count'), undefined);
  });

  it('refuse anything this API did not issue', () => {
    for (const bad of ['garbage', '', '!!!', Buffer.from('{"v":1,"s":"count"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      assert.equal(code(() => decodeCursor(bad, 'count')), 'invalid_cursor', bad);
    }
    assert.equal(code(() => decodeTimeCursor(encodeCursor('events', { key: 5, id: 'x' }), 'events')), 'invalid_cursor');
    assert.deepEqual(decodeTimeCursor(encodeCursor('events', { key: '2026-01-01T00:00:00.000Z', id: 'x' }), 'events'), { at: '2026-01-01T00:00:00.000Z', id: 'x' });
  });
});

describe('pages', () => {
  const rows = [1, 2, 3].map((n) => ({ id: `r${n}`, n }));
  const position = (r: { id: string; n: number }) => ({ key: r.n, id: r.id });

  it('use the extra row only to know that another page exists', () => {
    const page = pageOf(rows, 2, 'count', position, '/api/v1/x?limit=2&sort=count');
    assert.deepEqual(page.data.map((r) => r.id), ['r1', 'r2']);
    assert.deepEqual(decodeCursor(page.page.nextCursor!, 'count'), { key: 2, id: 'r2' });
    assert.equal(page.page.next, `/api/v1/x?limit=2&sort=count&cursor=${page.page.nextCursor}`);
  });

  it('end with a null cursor when nothing is left', () => {
    assert.deepEqual(pageOf(rows, 3, 'count', position, '/x').page, { limit: 3, nextCursor: null, next: null });
    assert.deepEqual(pageOf([], 3, 'count', position, '/x').data, []);
  });

  it('replace an earlier cursor in the next link', () => {
    assert.equal(nextLink('/api/v1/x?cursor=old&limit=1', 'new'), '/api/v1/x?cursor=new&limit=1');
  });
});
