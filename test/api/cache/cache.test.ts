import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { call, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithRedis('cache-aside, sessions and rate limits in Redis', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let inspect: Redis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    inspect = new Redis(redis.url);
    // Two instances on one database and one Redis, like two fleet members. A long
    // near-cache TTL, so only pub/sub invalidation can explain a fresh read.
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, NEAR_CACHE_TTL_MS: '60000' };
    a = await startTestApp(env);
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    inspect?.disconnect();
    await redis?.stop();
    await pg?.stop();
  });

  test('GET /api/users/:id writes user:{id} with a TTL of at most 30 s, holding what it returned', async () => {
    const user = await newUser(a.url);
    const response = await call(a.url, 'GET', `/api/users/${user.id}`);
    expect(response.status).toBe(200);
    const ttl = await inspect.ttl(`user:${user.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    expect(JSON.parse((await inspect.get(`user:${user.id}`))!)).toEqual(response.body);
  });

  test('a cached read is served from the cache, not the database', async () => {
    const user = await newUser(a.url);
    await call(a.url, 'GET', `/api/users/${user.id}`);
    // Change the row behind the cache's back: the cached view must still be served.
    await a.app.db.home.query('UPDATE users SET photo_count = 99 WHERE id = $1', [user.id]);
    expect((await call(a.url, 'GET', `/api/users/${user.id}`)).body.photoCount).toBe(0);
    await inspect.del(`user:${user.id}`);
    expect((await call(b.url, 'GET', `/api/users/${user.id}`)).body.photoCount).toBe(99);
  });

  test('follow, unfollow, photo create and photo delete each invalidate user:{id}', async () => {
    const alice = await newUser(a.url);
    const bob = await newUser(a.url);
    const cached = async (id: string) => {
      await call(a.url, 'GET', `/api/users/${id}`);
      expect(await inspect.exists(`user:${id}`)).toBe(1);
    };
    await cached(alice.id);
    await cached(bob.id);
    await call(a.url, 'PUT', `/api/users/${bob.id}/follow`, { token: alice.token });
    expect(await inspect.exists(`user:${alice.id}`, `user:${bob.id}`)).toBe(0);
    expect((await call(a.url, 'GET', `/api/users/${bob.id}`)).body.followerCount).toBe(1);

    await cached(bob.id);
    await call(a.url, 'DELETE', `/api/users/${bob.id}/follow`, { token: alice.token });
    expect(await inspect.exists(`user:${bob.id}`)).toBe(0);
    expect((await call(a.url, 'GET', `/api/users/${bob.id}`)).body.followerCount).toBe(0);

    await cached(bob.id);
    const created = await call(a.url, 'POST', '/api/photos', { token: bob.token, body: { caption: '', contentType: 'image/png', size: 5 } });
    expect(await inspect.exists(`user:${bob.id}`)).toBe(0);
    expect((await call(a.url, 'GET', `/api/users/${bob.id}`)).body.photoCount).toBe(1);

    await cached(bob.id);
    await call(a.url, 'DELETE', `/api/photos/${created.body.photo.id}`, { token: bob.token });
    expect(await inspect.exists(`user:${bob.id}`)).toBe(0);
    expect((await call(a.url, 'GET', `/api/users/${bob.id}`)).body.photoCount).toBe(0);
  });

  test('a write to a profile nobody has cached sends no invalidation message; a cached one still does', async () => {
    const listener = new Redis(redis.url);
    const messages: string[] = [];
    try {
      await listener.subscribe('graminsta:user-invalidated');
      listener.on('message', (_channel: string, id: string) => messages.push(id));
      const uploader = await newUser(a.url);
      await inspect.del(`user:${uploader.id}`); // nobody has read this profile
      const body = { caption: '', contentType: 'image/png', size: 5 };
      expect((await call(a.url, 'POST', '/api/photos', { token: uploader.token, body })).status).toBe(201);
      // Past the second invalidation (1 s), which has nothing to announce either.
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(messages.filter((id) => id === uploader.id)).toEqual([]);

      await call(b.url, 'GET', `/api/users/${uploader.id}`); // cached now, in b's near tier too
      expect((await call(a.url, 'POST', '/api/photos', { token: uploader.token, body })).status).toBe(201);
      const seen = await eventually(
        () => call(b.url, 'GET', `/api/users/${uploader.id}`),
        (r) => r.body.photoCount === 2,
        1_000,
      );
      expect(seen.body.photoCount).toBe(2);
      expect(messages.filter((id) => id === uploader.id).length).toBeGreaterThanOrEqual(1);
    } finally {
      listener.disconnect();
    }
  });

  test('a write on one instance is visible on the other within the pub/sub bound, despite a 60 s near-cache TTL', async () => {
    const alice = await newUser(a.url);
    const bob = await newUser(a.url);
    // Instance B caches Bob in its near tier.
    expect((await call(b.url, 'GET', `/api/users/${bob.id}`)).body.followerCount).toBe(0);
    const wroteAt = Date.now();
    await call(a.url, 'PUT', `/api/users/${bob.id}/follow`, { token: alice.token });
    const seen = await eventually(
      () => call(b.url, 'GET', `/api/users/${bob.id}`),
      (r) => r.body.followerCount === 1,
      1_000,
    );
    expect(seen.body.followerCount).toBe(1);
    // The documented bound for an instance that received the message is well under a second.
    expect(Date.now() - wroteAt).toBeLessThan(1_000);
  });

  test('sessions live in Redis, stored under the token’s SHA-256; any instance accepts them; logout ends them everywhere', async () => {
    const user = await newUser(a.url);
    const key = `session:${createHash('sha256').update(user.token).digest('hex')}`;
    expect(await inspect.exists(key)).toBe(1);
    expect(await inspect.ttl(key)).toBeGreaterThan(29 * 24 * 3600);
    // PostgreSQL holds a copy only while SESSIONS_DATABASE_FALLBACK is on (the step that introduced
    // Redis, test/api/sessions/redis-introduced.test.ts): Redis alone answers, even with that copy gone.
    await a.app.db.home.query('DELETE FROM sessions WHERE user_id = $1', [user.id]);
    const other = await newUser(a.url);
    expect((await call(b.url, 'PUT', `/api/users/${other.id}/follow`, { token: user.token })).status).toBe(204);
    expect((await call(b.url, 'DELETE', '/api/sessions', { token: user.token })).status).toBe(204);
    expect((await call(a.url, 'PUT', `/api/users/${other.id}/follow`, { token: user.token })).status).toBe(401);
  });

  test('log-in attempts are limited per username across instances (shared counter in Redis)', async () => {
    const limited = { DATABASE_URL: pg.url, REDIS_URL: redis.url, AUTH_RATE_LIMIT_PER_USERNAME: '3' };
    const x = await startTestApp(limited);
    const y = await startTestApp(limited);
    try {
      const user = await newUser(a.url);
      const attempt = (api: TestApp) => call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'wrong password' } });
      // newUser's own log-in (on a) was hit 1; these are 2 and 3, on two other instances.
      expect((await attempt(x)).status).toBe(401);
      expect((await attempt(y)).status).toBe(401);
      const blocked = await attempt(y);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('rate_limited');
      // The seconds left in the window that refused it (the window started with newUser's log-in).
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const ttl = await inspect.ttl(`ratelimit:login:user:${user.username}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      await x.close();
      await y.close();
    }
  });

  test('with Redis stopped the API still serves reads from the database and /readyz names the cache; it recovers', async () => {
    const user = await newUser(a.url);
    await redis.stop();
    try {
      await a.app.db.home.query('UPDATE users SET photo_count = 7 WHERE id = $1', [user.id]);
      const read = await call(b.url, 'GET', `/api/users/${user.id}`);
      expect(read.status).toBe(200);
      expect(read.body.photoCount).toBe(7);
      const listed = await call(b.url, 'GET', `/api/users/${user.id}/photos`);
      expect(listed.status).toBe(200);
      const ready = await call(b.url, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'degraded', failing: ['cache'], checks: { database: 'ok', cache: 'unavailable' } });
      // Sessions are in Redis: an authenticated request is refused with 503, not logged out with 401.
      expect((await call(b.url, 'GET', '/api/feed', { token: user.token })).status).toBe(503);
    } finally {
      await redis.start();
    }
    const ready = await eventually(() => call(b.url, 'GET', '/readyz'), (r) => r.status === 200, 10_000);
    expect(ready.status).toBe(200);
  });
});
