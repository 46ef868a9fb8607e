import { z } from 'zod';
import { ApiError } from './errors';
import type { Page } from './contracts';

/**
 * An opaque keyset cursor: the sort it belongs to, the sort key and id of the last item
 * returned. Keyset rather than offset, so rows arriving between pages neither repeat nor
 * skip items. Base64url JSON: opaque to clients, but not a secret.
 */
const CursorPayload = z.object({ v: z.literal(1), s: z.string(), k: z.union([z.number(), z.string()]), i: z.string() });
export type CursorPosition = { key: number | string; id: string };

export function encodeCursor(sort: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, s: sort, k: position.key, i: position.id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, sort: string): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('invalid_cursor', 'the cursor is not one this API issued');
  }
  const parsed = CursorPayload.safeParse(json);
  if (!parsed.success) throw new ApiError('invalid_cursor', 'the cursor is not one this API issued');
  if (parsed.data.s !== sort) throw new ApiError('invalid_cursor', `the cursor belongs to sort "${parsed.data.s}", not "${sort}"`);
  return { key: parsed.data.k, id: parsed.data.i };
}

/** A time-keyed cursor (events, deploys, alerts): the key must be a date-time. */
export function decodeTimeCursor(cursor: string | undefined, sort: string): { at: string; id: string } | undefined {
  const position = decodeCursor(cursor, sort);
  if (!position) return undefined;
  if (typeof position.key !== 'string' || Number.isNaN(Date.parse(position.key))) throw new ApiError('invalid_cursor', 'the cursor is not one this API issued');
  return { at: position.key, id: position.id };
}

/** The relative link to the next page: the request's own path and query, with the cursor replaced. */
export function nextLink(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl, 'http://api.invalid');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/**
 * One page from `limit + 1` fetched rows: the extra row only says that another page exists.
 */
export function pageOf<T>(
  rows: T[],
  limit: number,
  sort: string,
  positionOf: (item: T) => CursorPosition,
  requestUrl: string,
): { data: T[]; page: Page } {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(sort, positionOf(last)) : null;
  return { data, page: { limit, nextCursor, next: nextCursor ? nextLink(requestUrl, nextCursor) : null } };
}
