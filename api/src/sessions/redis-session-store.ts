import type { RedisClient } from '../cache/redis-client';
import { SESSION_TTL_SECONDS, type Session, type SessionStore } from './session-store';
import { shardOfId } from '../../../contracts/ids';
import { hashToken, newToken } from './tokens';

const key = (token: string) => `session:${hashToken(token).toString('hex')}`;

/**
 * Sessions in Redis (100k and up): a hash per session with the store's TTL.
 * Tokens carry the user's shard like the database store's (one format), but
 * the key is the token's hash alone: Redis does its own sharding.
 * When Redis is unreachable the lookup throws and the request gets a 503.
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
    await this.redis.del(key(token));
  }

  async markWrite(token: string): Promise<void> {
    const k = key(token);
    const raw = await this.redis.get(k);
    if (raw === null) return;
    const parsed = JSON.parse(raw) as Session;
    await this.redis.set(k, JSON.stringify({ ...parsed, lastWriteAt: Date.now() }), 'KEEPTTL');
  }
}
