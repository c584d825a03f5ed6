import type { Cluster, Redis } from 'ioredis';

/**
 * Precomputed feeds in Redis ("fan-out on write"): one sorted set per user,
 * `feed:<userId>`, members = photo IDs, score = the photo's creation time in
 * epoch milliseconds, newest kept. Keys expire when a user has not received a
 * photo for FEED_TTL_SECONDS; a reader that finds no key falls back to the
 * database (fan-out on read), so the sets are a cache, never the truth.
 */
export const FEED_MAX_ITEMS = 500;
export const FEED_TTL_SECONDS = 7 * 24 * 3600;

export function feedKey(userId: string): string {
  return `feed:${userId}`;
}

export interface FeedStore {
  add(followerIds: readonly string[], photoId: string, createdAtMs: number): Promise<void>;
  remove(followerIds: readonly string[], photoId: string): Promise<void>;
  /** Closes the connection (local runs and tests; Lambda just freezes the environment). */
  close(): Promise<void>;
}

/** Followers updated concurrently; each follower's commands go in one pipeline (one key, so one cluster slot). */
const CONCURRENCY = 50;

export function redisFeedStore(redis: Redis | Cluster): FeedStore {
  async function forEach(ids: readonly string[], build: (pipeline: ReturnType<Redis['pipeline']>, key: string) => void): Promise<void> {
    for (let i = 0; i < ids.length; i += CONCURRENCY) {
      await Promise.all(
        ids.slice(i, i + CONCURRENCY).map(async (id) => {
          const pipeline = redis.pipeline();
          build(pipeline, feedKey(id));
          const results = (await pipeline.exec()) ?? [];
          const failed = results.find(([error]) => error);
          if (failed) throw failed[0];
        }),
      );
    }
  }
  return {
    add: (followerIds, photoId, createdAtMs) =>
      forEach(followerIds, (p, key) => {
        p.zadd(key, createdAtMs, photoId);
        // Keep the newest FEED_MAX_ITEMS (ranks are ascending by score).
        p.zremrangebyrank(key, 0, -(FEED_MAX_ITEMS + 1));
        p.expire(key, FEED_TTL_SECONDS);
      }),
    remove: (followerIds, photoId) => forEach(followerIds, (p, key) => void p.zrem(key, photoId)),
    close: async () => {
      await redis.quit();
    },
  };
}
