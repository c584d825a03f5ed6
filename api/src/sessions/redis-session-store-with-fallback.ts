import type { DatabaseSessionStore } from './database-session-store';
import type { RedisSessionStore } from './redis-session-store';
import type { Session, SessionStore } from './session-store';

/**
 * Sessions in Redis, with PostgreSQL (where the stages below 100k keep them)
 * still honoured: the step that introduces Redis must sign nobody out.
 *
 * - A token Redis does not know is looked for in PostgreSQL; when found it is
 *   copied into Redis for the rest of its lifetime, so the next request is a
 *   Redis hit.
 * - A log-in is written to both, so an instance still running the old
 *   configuration during the fleet's roll accepts a token a new one issued.
 * - A log-out deletes from both, or the fallback would bring the token back.
 * - The write time used for read-your-own-writes lives in Redis only: an old
 *   instance may route one read to a replica during the roll.
 *
 * Turned off with SESSIONS_DATABASE_FALLBACK=false once every PostgreSQL
 * session has expired (30 days after the step): from then on a token Redis
 * does not know costs no PostgreSQL query.
 */
export class RedisSessionStoreWithFallback implements SessionStore {
  constructor(
    private readonly redis: RedisSessionStore,
    private readonly database: DatabaseSessionStore,
    /** How long a copy found in PostgreSQL lives in Redis, given the session's seconds left. @default all of them */
    private readonly copySeconds: (secondsLeft: number) => number = (secondsLeft) => secondsLeft,
  ) {}

  available(): boolean {
    return this.redis.available();
  }

  async create(userId: string): Promise<string> {
    const token = await this.redis.create(userId);
    await this.database.store(token, userId);
    return token;
  }

  async find(token: string): Promise<Session | undefined> {
    const cached = await this.redis.find(token);
    if (cached) return cached;
    const found = await this.database.findWithLifetime(token);
    if (!found || found.secondsLeft <= 0) return undefined;
    await this.redis.put(token, found.session, this.copySeconds(found.secondsLeft));
    return found.session;
  }

  async delete(token: string): Promise<void> {
    await Promise.all([this.redis.delete(token), this.database.delete(token)]);
  }

  /** Forgets this store's Redis copy only (stage 10m: home deleted the session; this region's PostgreSQL is a replica). */
  async dropCopy(token: string): Promise<void> {
    await this.redis.delete(token);
  }

  async markWrite(token: string): Promise<void> {
    await this.redis.markWrite(token);
  }
}
