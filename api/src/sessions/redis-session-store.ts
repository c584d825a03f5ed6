import type { RedisClient } from '../cache/redis-client';
import { SESSION_TTL_SECONDS, type Session, type SessionStore } from './session-store';
import { shardOfId } from '../../../contracts/ids';
import { hashToken, newToken } from './tokens';

/** A session's name in Redis and in invalidation messages: the hex SHA-256 of its token (never the token). */
export const sessionHash = (token: string) => hashToken(token).toString('hex');
const key = (token: string) => `session:${sessionHash(token)}`;

/** Where a log-out or a recorded write is announced, so every instance drops its near copy (NearSessionStore). */
export const SESSION_INVALIDATION_CHANNEL = 'graminsta:session-changed';

/**
 * Sessions in Redis (100k and up): a hash per session with the store's TTL.
 * Tokens carry the user's shard like the database store's (one format), but
 * the key is the token's hash alone: Redis does its own sharding.
 * When Redis is unreachable the lookup throws and the request gets a 503.
 * A log-out and a recorded write are announced on SESSION_INVALIDATION_CHANNEL
 * in the same round trip (a script), for the instances' near copies.
 * Sessions made before Redis existed are found through
 * RedisSessionStoreWithFallback.
 */
export class RedisSessionStore implements SessionStore {
  constructor(private readonly redis: RedisClient) {}

  available(): boolean {
    return this.redis.status === 'ready';
  }

  async create(userId: string): Promise<string> {
    const token = newToken(shardOfId(userId));
    await this.put(token, { userId, lastWriteAt: 0 }, SESSION_TTL_SECONDS);
    return token;
  }

  /** Stores a session under a token for the given number of seconds (a new one, or one copied from PostgreSQL). */
  async put(token: string, session: Session, seconds: number): Promise<void> {
    await this.redis.set(key(token), JSON.stringify({ userId: session.userId, lastWriteAt: session.lastWriteAt }), 'EX', seconds);
  }

  async find(token: string): Promise<Session | undefined> {
    const raw = await this.redis.get(key(token));
    if (raw === null) return undefined;
    const parsed = JSON.parse(raw) as Session;
    return { userId: String(parsed.userId), lastWriteAt: Number(parsed.lastWriteAt) || 0 };
  }

  async delete(token: string): Promise<void> {
    const hash = sessionHash(token);
    await this.redis.deleteAndPublish(`session:${hash}`, SESSION_INVALIDATION_CHANNEL, hash);
  }

  async markWrite(token: string): Promise<void> {
    const hash = sessionHash(token);
    await this.redis.markSessionWrite(`session:${hash}`, Date.now(), SESSION_INVALIDATION_CHANNEL, hash);
  }
}
