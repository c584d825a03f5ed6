import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { call, expectError, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

/**
 * Issue 14, defect 9: with sessions in Redis and Redis down, a log-in cannot
 * succeed; it must say so with 503 and Retry-After before the password hash
 * (it used to hash, then fail with 500).
 */
describeWithRedis('log-in while the session store is down', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let api: TestApp;
  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    api = await startTestApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
    await pg?.stop();
  });

  test('answers 503 with Retry-After before checking the password, and works again once Redis is back', async () => {
    const user = await newUser(api.url);
    await redis.stop();
    try {
      const right = await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } });
      expectError(right, 503, 'unavailable');
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      // A wrong password is not even checked (that would cost the hash): same answer, not 401.
      expectError(await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'wrong password' } }), 503, 'unavailable');
    } finally {
      await redis.start();
    }
    let again = await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } });
    for (let i = 0; again.status === 503 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } });
    }
    expect(again.status).toBe(201);
  });
});
