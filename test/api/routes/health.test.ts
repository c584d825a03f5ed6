import { startPostgres, type TestPostgres } from '../../support/postgres';
import { startTestApp, type TestApp } from '../../support/api-server';

describe('health routes', () => {
  let pg: TestPostgres;
  let api: TestApp;
  beforeAll(async () => {
    pg = await startPostgres();
    api = await startTestApp({ DATABASE_URL: pg.url });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  test('GET /healthz answers 200 {"status":"ok"}', async () => {
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('GET /readyz answers 200 when the database answers', async () => {
    const response = await fetch(`${api.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  test('an unknown route gets 404 with the error shape', async () => {
    const response = await fetch(`${api.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
