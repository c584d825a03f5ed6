import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from '../../support/postgres-servers';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { call, expectError, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

const redisKey = (token: string) => `session:${createHash('sha256').update(token).digest('hex')}`;
const THIRTY_DAYS = 30 * 24 * 3600;

/**
 * Issue 20, item 2: 10k → 100k sets REDIS_URL, which moves sessions to
 * Redis. During the fleet's roll an instance on the 10k configuration
 * (sessions in PostgreSQL) and one on the 100k configuration (sessions in
 * Redis) serve side by side on the same database; after it only the new one
 * does. Nobody may be signed out by the step, in either direction.
 */
describeWithRedis('the step that introduces Redis signs nobody out', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let redisClient: Redis;
  let before: TestApp; // the 10k configuration
  let after: TestApp; // the 100k configuration
  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    redisClient = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redisClient.connect();
    before = await startTestApp({ DATABASE_URL: pg.url });
    after = await startTestApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await before?.close();
    await after?.close();
    redisClient?.disconnect();
    await redis?.stop();
    await pg?.stop();
  });

  test('a session made before the step works after it, and is copied into Redis for the rest of its lifetime', async () => {
    const user = await newUser(before.url);
    // Ten days old already: the copy must end when the PostgreSQL session ends, not 30 days from now.
    await sql(pg.url, `UPDATE sessions SET expires_at = now() + interval '20 days' WHERE user_id = $1`, [user.id]);
    expect(await redisClient.exists(redisKey(user.token))).toBe(0);

    const feed = await call(after.url, 'GET', '/api/feed', { token: user.token });
    expect(feed.status).toBe(200);
    const ttl = await redisClient.ttl(redisKey(user.token));
    expect(ttl).toBeGreaterThan(20 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(20 * 24 * 3600);
    // The copy serves with PostgreSQL's row gone: a Redis hit does not read PostgreSQL.
    await sql(pg.url, 'DELETE FROM sessions WHERE user_id = $1', [user.id]);
    const created = await call(after.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'after the step', contentType: 'image/png', size: 1 } });
    expect(created.status).toBe(201);
    expect(created.body.photo.userId).toBe(user.id);
  });

  test('a log-in on a new instance is accepted by an instance still on the old configuration (the roll)', async () => {
    const user = await newUser(after.url);
    expect(await redisClient.ttl(redisKey(user.token))).toBeGreaterThan(THIRTY_DAYS - 60);
    expect((await call(before.url, 'GET', '/api/feed', { token: user.token })).status).toBe(200);
  });

  test('a log-out on either side ends the session on both, and the fallback does not bring it back', async () => {
    const old = await newUser(before.url);
    expect((await call(after.url, 'GET', '/api/feed', { token: old.token })).status).toBe(200); // now in Redis too
    expect((await call(after.url, 'DELETE', '/api/sessions', { token: old.token })).status).toBe(204);
    expectError(await call(after.url, 'GET', '/api/feed', { token: old.token }), 401, 'unauthorized');
    expectError(await call(before.url, 'GET', '/api/feed', { token: old.token }), 401, 'unauthorized');

    const fresh = await newUser(after.url);
    expect((await call(before.url, 'DELETE', '/api/sessions', { token: fresh.token })).status).toBe(204);
    // The old instance deletes only PostgreSQL's copy; Redis's lives on until the roll ends (documented).
    expect((await call(after.url, 'GET', '/api/feed', { token: fresh.token })).status).toBe(200);
    expect((await call(after.url, 'DELETE', '/api/sessions', { token: fresh.token })).status).toBe(204);
    expectError(await call(after.url, 'GET', '/api/feed', { token: fresh.token }), 401, 'unauthorized');
  });

  test('an expired PostgreSQL session is not revived, and a token neither store knows is 401', async () => {
    const user = await newUser(before.url);
    await sql(pg.url, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expectError(await call(after.url, 'GET', '/api/feed', { token: user.token }), 401, 'unauthorized');
    expect(await redisClient.exists(redisKey(user.token))).toBe(0);
  });

  test('without the fallback (SESSIONS_DATABASE_FALLBACK=false) every session made before the step is signed out', async () => {
    const bare = await startTestApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url, SESSIONS_DATABASE_FALLBACK: 'false' });
    try {
      const user = await newUser(before.url);
      expectError(await call(bare.url, 'GET', '/api/feed', { token: user.token }), 401, 'unauthorized');
      const made = await newUser(bare.url);
      expectError(await call(before.url, 'GET', '/api/feed', { token: made.token }), 401, 'unauthorized');
    } finally {
      await bare.close();
    }
  });
});
