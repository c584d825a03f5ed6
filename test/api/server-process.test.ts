import { Client } from 'pg';
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
  });

  test('a bad variable stops start-up with one error naming it, and no secret in the message', async () => {
    await expect(startApi({ databaseUrl: 'postgres://user:hunter2secret@127.0.0.1:1/x', env: { PORT: 'eighty' } })).rejects.toThrow(
      /invalid configuration: PORT must be a whole number/,
    );
    await expect(startApi({ databaseUrl: 'mysql://user:hunter2secret@127.0.0.1:1/x' })).rejects.toThrow(/DATABASE_URL must use postgres/);
    await expect(startApi({ databaseUrl: 'mysql://user:hunter2secret@127.0.0.1:1/x' })).rejects.not.toThrow(/hunter2secret/);
  });

  test('SIGTERM drains an in-flight request before the process exits', async () => {
    const api = await startApi({ databaseUrl: pg.url });
    // Hold a request open on the server side (slow body upload), then SIGTERM.
    const inFlight = fetch(`${api.url}/readyz`);
    const stopped = api.stop();
    const response = await inFlight;
    expect([200, 503]).toContain(response.status);
    await stopped;
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
