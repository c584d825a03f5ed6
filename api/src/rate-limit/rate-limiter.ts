import type { RedisClient } from '../cache/redis-client';
import type { DatabaseNode } from '../db/database-cluster';

/** One counted hit: the hits in the current window, and the seconds until that window ends. */
export interface RateLimitHit {
  readonly count: number;
  readonly resetSeconds: number;
}

/** Fixed-window counters shared by every instance. */
export interface RateLimiter {
  /** Counts one hit on `key` and returns the hits in the current window and when it ends. */
  hit(key: string, windowSeconds: number): Promise<RateLimitHit>;
}

/**
 * Counters in PostgreSQL (stages without Redis): one upsert per hit, on the
 * first primary of the map (`DatabaseCluster.home`): counters are keyed by IP
 * or username, not by a user's ID, so they have no shard and never move.
 */
export class DatabaseRateLimiter implements RateLimiter {
  constructor(private readonly db: DatabaseNode) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitHit> {
    const { rows } = await this.db.query<{ count: number; reset_seconds: number }>(
      `INSERT INTO rate_limits AS r (key, count, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.count + 1 END,
         expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
       RETURNING count, ceil(extract(epoch FROM expires_at - now()))::int AS reset_seconds`,
      [key, windowSeconds],
    );
    // Expired windows are swept now and then instead of by a scheduled job.
    if (Math.random() < 0.01) void this.db.query('DELETE FROM rate_limits WHERE expires_at < now()').catch(() => undefined);
    return { count: rows[0].count, resetSeconds: rows[0].reset_seconds };
  }
}

/** Counters in Redis, falling back to PostgreSQL while Redis is unreachable. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly fallback: RateLimiter,
  ) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitHit> {
    const redisKey = `ratelimit:${key}`;
    try {
      // One script (cache/redis-scripts.ts): the window's expiry is set with the first hit and never
      // lost to a failure between two commands (EXPIRE NX, Redis 7+).
      const [count, ttlMs] = await this.redis.rateLimitHit(redisKey, windowSeconds);
      return { count, resetSeconds: ttlMs > 0 ? Math.ceil(ttlMs / 1000) : windowSeconds };
    } catch {
      return this.fallback.hit(key, windowSeconds);
    }
  }
}
