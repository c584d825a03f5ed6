import type { FastifyBaseLogger } from 'fastify';
import { NearCache } from './near-cache';
import type { RedisClient } from './redis-client';

export const USER_INVALIDATION_CHANNEL = 'graminsta:user-invalidated';

/** Key of a user's cached view: `user:{id}` as the contract names it. */
export const userKey = (id: string) => `user:${id}`;

/**
 * A cache-aside race lets a reader that loaded the row just before a write put
 * the old view back after the write's DEL. A second invalidation this long
 * after the first removes such a value, so that race's staleness is bounded too.
 */
const SECOND_INVALIDATION_MS = 1_000;

export interface UserCacheOptions {
  /** Lifetime of a Redis entry, asked at each fill (stage 10m: shorter outside the home region). */
  readonly ttlSeconds: number | (() => number);
  readonly nearTtlMs: number;
}

/**
 * Two tiers for `GET /api/users/:id`: an in-process LRU (`nearTtlMs`) in front
 * of Redis (`user:{id}`, `ttlSeconds`). A write deletes the Redis key and,
 * if there was one, publishes the ID; every instance drops it from its near
 * tier on the message. A near copy is taken from Redis or with a fill of it,
 * so with no key there is nothing to drop (a copy whose key was evicted, or
 * whose fill failed, lives out its near TTL).
 * Staleness bound on other instances: the pub/sub delivery time, and never
 * more than `nearTtlMs` (a message lost while Redis reconnects expires with the
 * entry; the near tier is also cleared on every reconnect).
 */
export class UserCache {
  private readonly near: NearCache<string>;
  /** IDs whose Redis DEL failed (Redis down); retried when it is back. */
  private readonly pendingInvalidations = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private lookupListener?: (hit: boolean) => void;

  constructor(
    private readonly redis: RedisClient,
    subscriber: RedisClient,
    private readonly options: UserCacheOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.near = new NearCache<string>(options.nearTtlMs);
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === USER_INVALIDATION_CHANNEL) this.near.delete(id);
    });
    subscriber.on('ready', () => {
      // Messages published while we were disconnected are lost: forget everything.
      this.near.clear();
      subscriber.subscribe(USER_INVALIDATION_CHANNEL).catch((error: Error) => this.log.warn({ err: error }, 'cache: subscribe failed'));
    });
    redis.on('ready', () => void this.flushPending());
  }

  /** The cached JSON of a user, or undefined on a miss or when Redis fails. */
  getNear(id: string): string | undefined {
    return this.near.get(id);
  }

  /** Told the outcome of every `get` (the hit ratio metric). */
  onLookup(listener: (hit: boolean) => void): void {
    this.lookupListener = listener;
  }

  async get(id: string): Promise<string | undefined> {
    const found = await this.lookup(id);
    this.lookupListener?.(found !== undefined);
    return found;
  }

  private async lookup(id: string): Promise<string | undefined> {
    const near = this.near.get(id);
    if (near !== undefined) return near;
    try {
      const cached = await this.redis.get(userKey(id));
      if (cached !== null) {
        this.near.set(id, cached);
        return cached;
      }
    } catch {
      // Redis down: the caller reads the database.
    }
    return undefined;
  }

  /**
   * Stores a freshly loaded view. NX: a reader never overwrites a value that
   * is already there (it may be newer than what this reader loaded).
   */
  async fill(id: string, json: string): Promise<void> {
    this.near.set(id, json);
    try {
      const { ttlSeconds } = this.options;
      await this.redis.set(userKey(id), json, 'EX', typeof ttlSeconds === 'number' ? ttlSeconds : ttlSeconds(), 'NX');
    } catch {
      // Redis down: serve from the database until it is back.
    }
  }

  /** Called after every committed write that changes what `GET /api/users/:id` returns. */
  async invalidate(id: string): Promise<void> {
    await this.invalidateNow(id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.invalidateNow(id);
    }, SECOND_INVALIDATION_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private async invalidateNow(id: string): Promise<void> {
    this.near.delete(id);
    try {
      // One round trip, in this order; announced only when there was an entry (cache/redis-scripts.ts).
      await this.redis.deleteAndPublishIfPresent(userKey(id), USER_INVALIDATION_CHANNEL, id);
    } catch (error) {
      this.pendingInvalidations.add(id);
      this.log.warn({ err: error, userId: id }, 'cache: invalidation deferred until Redis is back');
    }
  }

  private async flushPending(): Promise<void> {
    const ids = [...this.pendingInvalidations];
    this.pendingInvalidations.clear();
    for (const id of ids) await this.invalidateNow(id);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
