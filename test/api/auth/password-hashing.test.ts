import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, uniqueName } from '../support/http';

const PASSWORD = 'correct horse battery';

/**
 * Issue 14, defect 6: password hashing at the production cost (scrypt
 * N=2^17, hundreds of milliseconds a hash) must neither hold up file I/O nor
 * queue without bound. The API runs as the production bundle with the
 * production cost and one hashing thread.
 */
describe('password hashing under a burst of log-ins', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  async function apiWith(env: Record<string, string>): Promise<RunningApi> {
    return startApi({ databaseUrl: await pg.createDatabase(), env: { PASSWORD_HASH_COST: 'production', PASSWORD_HASH_THREADS: '1', ...env } });
  }

  async function signUp(api: RunningApi): Promise<{ username: string; token: string; id: string }> {
    const username = uniqueName('hash');
    const created = await call(api.url, 'POST', '/api/users', { body: { username, password: PASSWORD } });
    const session = await call(api.url, 'POST', '/api/sessions', { body: { username, password: PASSWORD } });
    return { username, id: created.body.id, token: session.body.token };
  }

  test('photo bytes from local disk are served while 8 log-ins wait for their hashes', async () => {
    const api = await apiWith({ PASSWORD_HASH_QUEUE: '16' });
    try {
      const user = await signUp(api);
      const bytes = Buffer.alloc(32 * 1024, 7);
      const { photo } = (await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: '', contentType: 'image/png', size: bytes.length } })).body;
      expect((await call(api.url, 'PUT', `/api/photos/${photo.id}/content`, { token: user.token, raw: bytes, headers: { 'content-type': 'image/png' } })).status).toBe(204);

      let logInsDone = 0;
      const logIns = Array.from({ length: 8 }, () =>
        call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: PASSWORD } }).then((response) => {
          logInsDone++;
          return response.status;
        }),
      );
      // Let the log-ins reach their hashes (a few queries each) before the read is asked for.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const content = await fetch(`${api.url}/api/photos/${photo.id}/content`);
      expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);
      // Hashes run one after another (one thread), hundreds of ms each: the file read
      // did not wait for them. On the libuv threadpool it waited for at least five.
      const doneWhenServed = logInsDone;
      expect(doneWhenServed).toBeLessThan(3);
      expect(await Promise.all(logIns)).toEqual(Array(8).fill(201));
    } finally {
      await api.stop();
    }
  }, 120_000);

  test('past the queue, log-ins get 503 busy with Retry-After instead of waiting without bound', async () => {
    const api = await apiWith({ PASSWORD_HASH_QUEUE: '2' });
    try {
      const user = await signUp(api);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: PASSWORD } })),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      // One hashing, two waiting; the other three refused at once.
      expect(statuses).toEqual([201, 201, 201, 503, 503, 503]);
      for (const refused of answers.filter((answer) => answer.status === 503)) {
        expect(refused.body).toEqual({ error: { code: 'busy', message: expect.any(String) } });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await api.stop();
    }
  }, 120_000);
});
