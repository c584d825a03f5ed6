import { Client } from 'pg';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, newUser } from '../support/http';

/** Resolves once some backend of this database waits on a lock (the API's query is parked behind ours). */
async function untilSomeoneWaitsOnALock(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0].n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no backend started waiting on a lock');
  } finally {
    await client.end();
  }
}

/** Ends the backends that wait on a lock (pg_terminate_backend: the client sees 57P01, as in a fast shutdown). */
async function endLockWaiters(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  } finally {
    await client.end();
  }
}

/**
 * Issue 14, defect 1: a server-side disconnect while the API holds a pool
 * client for a transaction (here: a like parked on a row lock, then a fast
 * shutdown, as an RDS failover does) must fail that request with 503 and
 * leave the process serving, not emit an unhandled 'error' that ends it.
 */
describe('PostgreSQL drops the connection of a transaction in progress', () => {
  let pg: TestPostgres;
  let api: RunningApi;

  beforeAll(async () => {
    pg = await startPostgres();
    api = await startApi({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.stop();
  });

  test('the request gets 503 with Retry-After, the process keeps running and serves once PostgreSQL is back', async () => {
    const owner = await newUser(api.url);
    const fan = await newUser(api.url);
    const photo = (await call(api.url, 'POST', '/api/photos', { token: owner.token, body: { caption: '', contentType: 'image/jpeg', size: 3 } })).body.photo;

    // psql's part: BEGIN; SELECT … FOR UPDATE on the photo, held open.
    const holder = new Client({ connectionString: pg.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM photos WHERE id = $1 FOR UPDATE', [photo.id]);

    let exitedEarly: number | null | undefined;
    void api.exited.then((code) => (exitedEarly = code));
    const like = call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fan.token });
    await untilSomeoneWaitsOnALock(pg.url);
    // The like's backend is ended first, with the message a fast shutdown sends it (57P01), while the holder still
    // holds the lock: stopping the server alone ends both in no set order, and when the holder went first the like
    // took the lock and committed in between (204 under load). Then the server stops, as in a failover.
    await endLockWaiters(pg.url);
    await pg.stopServer();
    const answered = await like.catch(async (error: Error) => {
      const exit = await Promise.race([api.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 2000))]);
      throw new Error(`the like got no answer (${String((error.cause as Error | undefined)?.message ?? error.message)}); API process: exit code ${String(exit)}`);
    });
    await holder.end().catch(() => undefined);
    await pg.startServer();

    expect({ status: answered.status, code: answered.body?.error?.code, retryAfter: answered.headers.get('retry-after') }).toEqual({
      status: 503,
      code: 'unavailable',
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    });
    // Still the same process, and it serves again without a restart.
    expect(exitedEarly).toBeUndefined();
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    let retried = await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fan.token });
    for (let attempt = 0; retried.status === 503 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      retried = await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fan.token });
    }
    expect(retried.status).toBe(204);
    expect((await call(api.url, 'GET', `/api/photos/${photo.id}`)).body.likeCount).toBe(1);
    expect(exitedEarly).toBeUndefined();
  }, 60_000);
});
