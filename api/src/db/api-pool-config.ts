import { TypeOverrides, types, type ClientConfig, type PoolConfig } from 'pg';
import { isoFromTimestamptzText } from './timestamptz-text';

/**
 * The API's type parsers: pg's defaults, except that a `timestamptz` column
 * arrives as the ISO-8601 string the API returns (`2026-12-05T11:28:39.123Z`)
 * rather than a Date the repositories formatted back (issue 18). Given to the
 * API's pools only, never set on pg's global `types`: other code in the
 * process (the migrations, tools, tests' own clients) still gets Dates.
 */
export const API_TYPES = new TypeOverrides();
API_TYPES.setTypeParser(types.builtins.TIMESTAMPTZ, 'text', isoFromTimestamptzText);

/**
 * Session settings at connection start: UTC and ISO output make every
 * `timestamptz` arrive in the form the conversion handles without a Date
 * (`… 11:28:39.123456+00`). A server whose defaults differ (another time zone
 * set on the database or the role) is overridden here; if a connection
 * string's own `options` replaced these, the conversion would take its
 * slower Date path for other offsets and still give the same strings. Both
 * settings only change how the server formats and reads dates as text, and
 * the API's SQL does no calendar arithmetic in the session's zone.
 */
export const API_SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO';

/** A pool of the API's: the connection as configured, the pool's sizes and timeouts, the API's types and session settings. */
export function apiPoolConfig(connection: ClientConfig, pool: Pick<PoolConfig, 'max' | 'connectionTimeoutMillis' | 'idleTimeoutMillis'>): PoolConfig {
  // pg falls back to PGOPTIONS only when `options` is unset: setting it here must not drop what that gave.
  const given = connection.options || process.env.PGOPTIONS;
  const options = given ? `${given} ${API_SESSION_OPTIONS}` : API_SESSION_OPTIONS;
  return { ...connection, ...pool, types: API_TYPES, options };
}
