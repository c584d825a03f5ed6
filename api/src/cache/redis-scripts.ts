import type { Result } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * The Lua scripts the API runs in Redis. Each replaces a MULTI of several
 * commands: one command and one reply instead of four or five, the same
 * atomicity (a script runs alone), one key each (valid in cluster mode;
 * PUBLISH names no key). ioredis sends them by SHA (EVALSHA) and loads them
 * on a NOSCRIPT reply, so a restarted or failed-over Redis costs one retry.
 */
const SCRIPTS = {
  /**
   * One rate-limit hit: count, start the window's expiry with the first hit
   * (never lost to a failure between two commands), and say what is left of
   * it. KEYS[1] the counter, ARGV[1] the window in seconds → {count, pttl}.
   */
  rateLimitHit: {
    numberOfKeys: 1,
    lua: `local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('PTTL', KEYS[1])}`,
  },
  /**
   * A cache entry deleted and the deletion announced, in this order (a near
   * tier refilled from Redis after the message must not find the old value).
   * KEYS[1] the key, ARGV[1] the channel, ARGV[2] the message → subscribers reached.
   */
  deleteAndPublish: {
    numberOfKeys: 1,
    lua: `redis.call('DEL', KEYS[1])
return redis.call('PUBLISH', ARGV[1], ARGV[2])`,
  },
  /**
   * A cache entry deleted, and the deletion announced only if there was one:
   * an instance's near copy is filled from Redis or alongside a write to it,
   * so with no entry in Redis no instance holds a copy to drop (but one lost
   * to eviction or a failed fill, which its near TTL bounds). Without this
   * every write sent every instance a message, its own included (issue 18).
   * KEYS[1] the key, ARGV[1] the channel, ARGV[2] the message → subscribers reached (0: none sent).
   */
  deleteAndPublishIfPresent: {
    numberOfKeys: 1,
    lua: `if redis.call('DEL', KEYS[1]) == 0 then return 0 end
return redis.call('PUBLISH', ARGV[1], ARGV[2])`,
  },
  /**
   * A session's last write time set, keeping its TTL, and the change
   * announced so other instances drop their near copy (read-your-own-writes
   * on every instance). KEYS[1] the session, ARGV[1] the time (ms), ARGV[2]
   * the channel, ARGV[3] the message → 1, or 0 when the session is gone.
   */
  markSessionWrite: {
    numberOfKeys: 1,
    lua: `local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local session = cjson.decode(raw)
session.lastWriteAt = tonumber(ARGV[1])
redis.call('SET', KEYS[1], cjson.encode(session), 'KEEPTTL')
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`,
  },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateLimitHit(key: string, windowSeconds: number): Result<[number, number], Context>;
    deleteAndPublish(key: string, channel: string, message: string): Result<number, Context>;
    deleteAndPublishIfPresent(key: string, channel: string, message: string): Result<number, Context>;
    markSessionWrite(key: string, atMs: number, channel: string, message: string): Result<number, Context>;
  }
}

/** Defines the scripts on a client (once per client: the plugin that makes it calls this). */
export function defineRedisScripts(client: RedisClient): RedisClient {
  for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition);
  return client;
}
