import type { FastifyBaseLogger } from 'fastify';
import { NearCache } from '../cache/near-cache';
import type { RedisClient } from '../cache/redis-client';
import { SESSION_INVALIDATION_CHANNEL, sessionHash } from './redis-session-store';
import type { Session, SessionStore } from './session-store';

/** A lookup in flight, and whether its session changed while it was (then its answer is not kept). */
interface Loading {
  readonly promise: Promise<Session | undefined>;
  changed: boolean;
}

/**
 * An in-process tier in front of the Redis session store: every authenticated
 * request looked its token up in Redis (a round trip, a third of an upload's);
 * a session found is kept here for `ttlMs`, by the SHA-256 of its token.
 *
 * The Redis store announces every log-out and every recorded write on
 * SESSION_INVALIDATION_CHANNEL (in the same script as the change), and every
 * instance drops its copy on the message, so a log-out ends the session on
 * every instance, and a write sends that session's reads to the primary on
 * every instance, within the message's delivery. A copy is never used while
 * the subscription is down, the tier is emptied when it comes back (messages
 * sent meanwhile are lost), and a lookup that was in flight when its session
 * changed is not kept (its answer may predate the change). So a copy outlives
 * a change only if a message is lost on a connection that still looks up:
 * never longer than `ttlMs`. Misses are not kept: a new log-in on another
 * instance is found at once.
 */
export class NearSessionStore implements SessionStore {
  private readonly near: NearCache<Session>;
  private readonly loading = new Map<string, Loading>();
  /** Confirmed subscribed to the channel, and the connection not lost since. */
  private subscribed = false;

  constructor(
    private readonly store: SessionStore,
    private readonly subscriber: RedisClient,
    ttlMs: number,
    private readonly log: FastifyBaseLogger,
  ) {
    this.near = new NearCache<Session>(ttlMs);
    subscriber.on('message', (channel: string, hash: string) => {
      if (channel === SESSION_INVALIDATION_CHANNEL) this.forget(hash);
    });
    subscriber.on('ready', () => this.subscribe());
    subscriber.on('close', () => {
      this.subscribed = false;
    });
    if (subscriber.status === 'ready') this.subscribe();
  }

  available(): boolean {
    return this.store.available();
  }

  create(userId: string): Promise<string> {
    return this.store.create(userId);
  }

  find(token: string): Promise<Session | undefined> {
    const hash = sessionHash(token);
    // Only while subscribed: a copy is trusted because a change would have been announced.
    const listening = this.subscribed && this.subscriber.status === 'ready';
    const near = listening ? this.near.get(hash) : undefined;
    if (near !== undefined) return Promise.resolve(near);
    const inFlight = this.loading.get(hash);
    if (inFlight) return inFlight.promise;
    const promise = this.store.find(token).then(
      (session) => {
        if (session !== undefined && listening && !loading.changed) this.near.set(hash, session);
        this.loading.delete(hash);
        return session;
      },
      (error: unknown) => {
        this.loading.delete(hash);
        throw error;
      },
    );
    const loading: Loading = { promise, changed: false };
    this.loading.set(hash, loading);
    return promise;
  }

  async delete(token: string): Promise<void> {
    const hash = sessionHash(token);
    this.forget(hash);
    await this.store.delete(token);
    this.forget(hash);
  }

  async markWrite(token: string): Promise<void> {
    await this.store.markWrite(token);
    this.forget(sessionHash(token));
  }

  async dropCopy(token: string): Promise<void> {
    await this.store.dropCopy?.(token);
    this.forget(sessionHash(token));
  }

  private forget(hash: string): void {
    this.near.delete(hash);
    const loading = this.loading.get(hash);
    if (loading) loading.changed = true;
  }

  private subscribe(): void {
    this.subscribed = false;
    this.subscriber.subscribe(SESSION_INVALIDATION_CHANNEL).then(
      () => {
        // Messages published while we were not subscribed are lost: forget every copy.
        this.near.clear();
        for (const loading of this.loading.values()) loading.changed = true;
        this.subscribed = true;
      },
      (error: Error) => this.log.warn({ err: error }, 'sessions: subscribe failed (sessions read from Redis until it succeeds)'),
    );
  }
}
