/**
 * Whether an error means a backing service (PostgreSQL or Redis) could not
 * be reached or dropped the link, as opposed to a bug or a refused statement.
 * The error handler answers these with 503 and `Retry-After` instead of 500:
 * during a restart or failover the client's retry is what recovers.
 *
 * `pg` and ioredis give most link failures no code, only a message; the
 * messages matched here are theirs (pg 8, pg-pool 3, ioredis 5-6).
 */

/** Socket errors from Node's `net` (connect refused, reset, DNS). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception),
 * 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: a restart
 * or failover), 53300 (too many connections), 28000/28P01 (authentication:
 * the password rotated and the API is re-reading its secret), and 25006
 * (read-only transaction: a write reached a server that is still a replica,
 * as in the moments of a regional failover between the home region moving and
 * its servers' promotion).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|28000|28P01|25006)$/;

const LINK_MESSAGES = [
  // pg / pg-pool
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  // ioredis (fail-fast options: no offline queue, a command timeout)
  /^Connection is closed/,
  /^Stream isn't writeable/,
  /enableOfflineQueue options is false/,
  /^Command timed out/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
];

const LINK_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (LINK_ERROR_NAMES.has(error.name)) return true;
  if (LINK_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // Node reports a refused connection to every address of a host as one AggregateError.
  if (error instanceof AggregateError && error.errors.some((inner) => isDependencyUnavailable(inner, depth + 1))) return true;
  return isDependencyUnavailable(error.cause, depth + 1);
}
