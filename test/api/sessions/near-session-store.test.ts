import { createHash } from 'node:crypto';
import pino from 'pino';
import { createRedisClient, waitUntilReady, type RedisClient } from '../../../api/src/cache/redis-client';
import { NearSessionStore } from '../../../api/src/sessions/near-session-store';
import { RedisSessionStore, SESSION_INVALIDATION_CHANNEL } from '../../../api/src/sessions/redis-session-store';
import type { Session, SessionStore } from '../../../api/src/sessions/session-store';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';

/** Long enough that only an invalidation, never the TTL, can explain a copy going away within a test. */
const NEAR_TTL_MS = 60_000;
const USER_ID = '7263948576123904001';

/** One API instance's session stores: its own connections to the shared Redis, its own near tier. */
interface Instance {
  readonly redis: RedisClient;
  readonly subscriber: RedisClient;
  readonly shared: RedisSessionStore;
  readonly near: NearSessionStore;
}

/** Resolves once `subscriber` has received a message on the session channel (its handler ran before ours); fails after `ms`. */
function nextMessage(subscriber: RedisClient, ms = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscriber.off('message', onMessage);
      reject(new Error(`no message on ${SESSION_INVALIDATION_CHANNEL} within ${ms} ms`));
    }, ms);
    const onMessage = (channel: string) => {
      if (channel !== SESSION_INVALIDATION_CHANNEL) return;
      clearTimeout(timer);
      subscriber.off('message', onMessage);
      setImmediate(resolve);
    };
    subscriber.on('message', onMessage);
  });
}

/**
 * The in-process tier in front of the Redis session store (issue 18: a
 * session lookup was a Redis round trip on every authenticated request). What
 * it must never do: keep a session alive on one instance after a log-out on
 * another, or keep an old write time (read-your-own-writes) on one instance
 * after a write on another.
 */
describeWithRedis('sessions: the near tier in front of Redis', () => {
  let server: TestRedis;
  const instances: Instance[] = [];
  const log = pino({ level: 'silent' });

  async function instance(inner?: (store: RedisSessionStore) => SessionStore): Promise<Instance> {
    const redis = createRedisClient({ url: server.url, cluster: false });
    const subscriber = createRedisClient({ url: server.url, cluster: false });
    await Promise.all([waitUntilReady(redis, 5_000), waitUntilReady(subscriber, 5_000)]);
    const shared = new RedisSessionStore(redis);
    const near = new NearSessionStore(inner ? inner(shared) : shared, subscriber, NEAR_TTL_MS, log);
    // Subscribed once a message on the channel reaches it.
    for (let i = 0; i < 100; i++) {
      const heard = nextMessage(subscriber, 50).then(
        () => true,
        () => false,
      );
      await redis.publish(SESSION_INVALIDATION_CHANNEL, 'warm-up');
      if (await heard) break;
    }
    const made = { redis, subscriber, shared, near };
    instances.push(made);
    return made;
  }

  /** Counts the inner store's lookups, i.e. Redis round trips. */
  function counting(store: SessionStore): SessionStore & { finds: number } {
    const counted = {
      finds: 0,
      available: () => store.available(),
      create: (userId: string) => store.create(userId),
      find: (token: string) => {
        counted.finds++;
        return store.find(token);
      },
      delete: (token: string) => store.delete(token),
      markWrite: (token: string) => store.markWrite(token),
    };
    return counted;
  }

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const { redis, subscriber } of instances) {
      redis.disconnect();
      subscriber.disconnect();
    }
    await server?.stop();
  });

  test('a session found once is served from the instance, without a Redis round trip', async () => {
    let inner: (SessionStore & { finds: number }) | undefined;
    const a = await instance((store) => (inner = counting(store)));
    const token = await a.shared.create(USER_ID);
    const sessions = await Promise.all([a.near.find(token), a.near.find(token)]);
    for (let i = 0; i < 10; i++) sessions.push(await a.near.find(token));
    expect(sessions.every((session) => session?.userId === USER_ID)).toBe(true);
    // Two concurrent first lookups share one round trip; the ten after it are near hits.
    expect(inner?.finds).toBe(1);
    expect(await a.near.find('x'.repeat(46))).toBeUndefined();
  });

  test('a log-out on one instance ends the session on another that had it', async () => {
    const a = await instance();
    const b = await instance();
    const token = await a.shared.create(USER_ID);
    expect((await b.near.find(token))?.userId).toBe(USER_ID);
    const heard = nextMessage(b.subscriber);
    await a.near.delete(token);
    await heard;
    expect(await b.near.find(token)).toBeUndefined();
  });

  test('a write recorded on one instance sends the session to the primary on another (read-your-own-writes)', async () => {
    const a = await instance();
    const b = await instance();
    const token = await a.shared.create(USER_ID);
    expect((await b.near.find(token))?.lastWriteAt).toBe(0);
    const heard = nextMessage(b.subscriber);
    const before = Date.now();
    await a.near.markWrite(token);
    await heard;
    const seen = await b.near.find(token);
    expect(seen?.userId).toBe(USER_ID);
    expect(seen?.lastWriteAt).toBeGreaterThanOrEqual(before);
    // The script kept the session's 30-day lifetime and its user ID as text.
    expect(await a.redis.ttl(`session:${createHash('sha256').update(token).digest('hex')}`)).toBeGreaterThan(29 * 24 * 3600);
  });

  test('while its subscription is down an instance reads every session from Redis', async () => {
    const a = await instance();
    const b = await instance();
    const token = await a.shared.create(USER_ID);
    expect((await b.near.find(token))?.userId).toBe(USER_ID);
    const closed = new Promise((resolve) => b.subscriber.once('close', resolve));
    b.subscriber.disconnect();
    await closed;
    await a.near.delete(token); // b never hears of it
    expect(await b.near.find(token)).toBeUndefined();
  });

  test('a lookup in flight when its session is logged out elsewhere is not kept', async () => {
    let release: () => void = () => undefined;
    let answered: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetched = new Promise<void>((resolve) => (answered = resolve));
    let holdNext = true;
    const a = await instance();
    // b's Redis answers, then the answer is held until the log-out has been heard.
    const b = await instance((store) => ({
      available: () => store.available(),
      create: (userId: string) => store.create(userId),
      find: async (token: string): Promise<Session | undefined> => {
        const found = await store.find(token);
        if (holdNext) {
          holdNext = false;
          answered();
          await gate;
        }
        return found;
      },
      delete: (token: string) => store.delete(token),
      markWrite: (token: string) => store.markWrite(token),
    }));
    const token = await a.shared.create(USER_ID);
    const lookup = b.near.find(token);
    await fetched;
    const heard = nextMessage(b.subscriber);
    await a.near.delete(token);
    await heard;
    release();
    expect((await lookup)?.userId).toBe(USER_ID); // answered before the log-out
    expect(await b.near.find(token)).toBeUndefined(); // but not kept
  });
});
