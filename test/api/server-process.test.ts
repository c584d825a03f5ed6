import { Client } from 'pg';
import { request as httpRequest } from 'node:http';
import { call } from './support/http';
import { startApi, type RunningApi } from '../support/api-server';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { MIGRATIONS } from '../../api/src/db/migrations';

/** The production bundle as a process: start-up, migration lock, configuration errors, shutdown. */
describe('the API bundle as a process', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  test('two API processes started at once on an empty database both come up with one schema', async () => {
    const url = await pg.createDatabase();
    const apis: RunningApi[] = await Promise.all([startApi({ databaseUrl: url }), startApi({ databaseUrl: url })]);
    try {
      for (const api of apis) {
        const ready = await fetch(`${api.url}/readyz`);
        expect(ready.status).toBe(200);
      }
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
        const tables = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users'`);
        expect(tables.rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(apis.map((api) => api.stop()));
    }
  }, 120_000);

  test('a bad variable stops start-up with one error naming it, and no secret in the message', async () => {
    await expect(startApi({ databaseUrl: 'postgres://user:hunter2secret@127.0.0.1:1/x', env: { PORT: 'eighty' } })).rejects.toThrow(
      /invalid configuration: PORT must be a whole number/,
    );
    await expect(startApi({ databaseUrl: 'mysql://user:hunter2secret@127.0.0.1:1/x' })).rejects.toThrow(/DATABASE_URL must use postgres/);
    await expect(startApi({ databaseUrl: 'mysql://user:hunter2secret@127.0.0.1:1/x' })).rejects.not.toThrow(/hunter2secret/);
    // A bad shard map: exit status 2, one line naming the variable.
    const gap = JSON.stringify({ logicalShards: 4096, primaries: [{ url: 'postgres://user:hunter2secret@127.0.0.1:1/x', shards: [[0, 99], [200, 4095]] }] });
    const refused = startApi({ databaseUrl: '', env: { SHARD_MAP: gap } });
    await expect(refused).rejects.toThrow(/exited with 2\b.*invalid configuration: SHARD_MAP logical shards 100-199 belong to no primary$/s);
    await expect(refused).rejects.not.toThrow(/hunter2secret/);
  }, 120_000);

  test('SIGTERM drains an in-flight upload, refuses new work, then exits 0', async () => {
    const api = await startApi({ databaseUrl: pg.url });
    const username = `drain_${Date.now() % 1e9}`;
    await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } });
    const { token } = (await call(api.url, 'POST', '/api/sessions', { body: { username, password: 'password123' } })).body;
    const bytes = Buffer.alloc(64 * 1024, 1);
    const { photo } = (await call(api.url, 'POST', '/api/photos', { token, body: { caption: '', contentType: 'image/jpeg', size: bytes.length } })).body;

    let newWork: number | string | undefined;
    // Start the upload and send only half of it, so the request is in flight when SIGTERM arrives.
    const { port } = new URL(api.url);
    const response = new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, method: 'PUT', path: `/api/photos/${photo.id}/content`, headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg', 'content-length': bytes.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        },
      );
      request.on('error', reject);
      request.write(bytes.subarray(0, bytes.length / 2));
      setTimeout(() => {
        process.kill(api.pid, 'SIGTERM');
        setTimeout(async () => {
          // While draining, new work is refused (connection refused, or 503 on a kept-alive one).
          newWork = await fetch(`${api.url}/healthz`).then((r) => r.status, () => 'refused');
          request.end(bytes.subarray(bytes.length / 2));
        }, 300);
      }, 300);
    });
    expect(await response).toBe(204);
    expect([503, 'refused']).toContain(newWork);
    expect(await api.exited).toBe(0);
    await api.stop();
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  }, 120_000);
});
