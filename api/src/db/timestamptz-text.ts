import { types } from 'pg';

/**
 * pg's own text parser for `timestamptz` (pg-types → postgres-date), taken
 * before anything could change pg's global parsers: the slow path below, and
 * the reference the fast path must match.
 */
const pgTimestamptzParser = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text');

/**
 * A `timestamptz` column as the API's pools return it (api-pool-config.ts):
 * `2026-12-05T11:28:39.123Z`, what `Date.prototype.toISOString` gives.
 */
export type IsoTimestamp = string;

/** What `Date.prototype.toISOString` gives for the instant pg's own parser makes of `text`. */
export function isoViaDate(text: string): string {
  const parsed: unknown = pgTimestamptzParser(text);
  if (!(parsed instanceof Date)) throw new Error(`timestamptz ${JSON.stringify(text)} is not an instant an ISO-8601 string can hold`);
  return parsed.toISOString();
}

/**
 * What PostgreSQL sends for a `timestamptz` in a UTC session with DateStyle
 * ISO: `2026-12-05 11:28:39.123456+00`, with no fraction or 1–6 of its
 * digits (trailing zeros dropped). Years 0001–9999 (BC years end in ` BC`,
 * wider years have more digits: neither matches).
 */
const UTC_TEXT = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?\+00$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the (range-checked) day exists in its month and year; PostgreSQL never sends one that does not. */
function dayExists(text: string): boolean {
  const day = Number(text.slice(8, 10));
  if (day <= 28) return true;
  const month = Number(text.slice(5, 7));
  if (day > DAYS_IN_MONTH[month - 1]) return false;
  if (month !== 2 || day !== 29) return true;
  const year = Number(text.slice(0, 4));
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * A `timestamptz` as PostgreSQL's text sends it, to the ISO-8601 string
 * (`2026-12-05T11:28:39.123Z`) the API returns, without a Date: parsing into
 * a Date and formatting it back was 5–11 % of the API's CPU on feed reads
 * (issue 18). Byte for byte what `toISOString()` of pg's own parse gives:
 * postgres-date turns the fraction into `1000 * parseFloat('.123456')` ms and
 * Date.UTC truncates that to whole milliseconds, which is the first three
 * fraction digits for every 1–6 digit fraction (checked exhaustively in
 * test/api/db/timestamptz-text.test.ts). Anything else (another offset, when
 * a session's time zone is not UTC; BC; infinity) goes the Date way.
 */
export function isoFromTimestamptzText(text: string): IsoTimestamp {
  if (!UTC_TEXT.test(text) || !dayExists(text)) return isoViaDate(text);
  // 'YYYY-MM-DD HH:MM:SS' is 19 characters, '+00' 3: the fraction's digits sit between '.' (index 19) and the offset.
  const fraction = text.length === 22 ? '000' : (text.slice(20, text.length - 3) + '00').slice(0, 3);
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}
