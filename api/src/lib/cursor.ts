import { badRequest } from './http-error';
import { parseId } from '../../../contracts/ids';

/**
 * Keyset cursors: the ID of the last item returned (IDs are time-ordered, so
 * `id < cursor ORDER BY id DESC` is "older than what you have seen"), wrapped
 * so clients treat it as opaque and we can change it later (`v1:`).
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`).toString('base64url');
}

/** Undefined for no cursor; 400 `invalid_cursor` for anything we did not issue. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) throw badRequest('invalid_cursor', 'cursor is not one this API issued');
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^v1:(\d+)$/.exec(decoded);
  if (!match || parseId(match[1]) === undefined) throw badRequest('invalid_cursor', 'cursor is not one this API issued');
  return match[1];
}

/** A cursor after a username (name-ordered lists: the user search). */
export function encodeNameCursor(lastName: string): string {
  return Buffer.from(`u1:${lastName}`).toString('base64url');
}

/** Undefined for no cursor; 400 `invalid_cursor` for anything we did not issue. */
export function decodeNameCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^[A-Za-z0-9_-]{1,48}$/.test(cursor) ? /^u1:([a-z0-9_]{1,30})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw badRequest('invalid_cursor', 'cursor is not one this API issued');
  return match[1];
}

/** `limit` query parameter: default 20, 1..100, digits only. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20;
  if (!/^\d{1,3}$/.test(raw)) throw badRequest('invalid_limit', 'limit must be a whole number from 1 to 100');
  const limit = Number(raw);
  if (limit < 1 || limit > 100) throw badRequest('invalid_limit', 'limit must be a whole number from 1 to 100');
  return limit;
}

/** A page of `limit + 1` rows (newest first) becomes the items and the next cursor. */
export function page<T extends { id: string }>(rows: readonly T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
