/**
 * SQLSTATEs raised by `graminsta_shard_guard()` (migration 0002) on a write to
 * a logical shard that is moving: class 55 is "object not in prerequisite
 * state", and 55G01/55G02 are ours (PostgreSQL defines none with a G).
 */
export const SHARD_FROZEN = '55G01';
export const SHARD_MOVED = '55G02';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A write to a logical shard that stayed frozen for the whole bounded wait
 * (or kept moving): nothing was written. The error handler answers 503
 * `shard_moving` with `Retry-After: 1`; the move's write pause is short.
 */
export class ShardMovingError extends Error {
  readonly retryAfterSeconds = 1;

  constructor(
    readonly shard: number,
    options?: { cause?: unknown },
  ) {
    super(`logical shard ${shard} is moving to another server, retry in a moment`, options);
    this.name = 'ShardMovingError';
  }
}
