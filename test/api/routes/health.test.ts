import { startPostgres, type TestPostgres } from '../../support/postgres';
import { startTestApp, type TestApp } from '../../support/api-server';
import { startDelayProxy, type DelayProxy } from '../../support/delay-proxy';

/** Longer than the API reuses a /readyz verdict (api/src/routes/health: one second). */
const PAST_REUSE_MS = 1_100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('health routes', () => {
  let pg: TestPostgres;
  /** Between the API and its database: counts the readiness queries, and cuts the link for the outage. */
  let link: DelayProxy;
  let api: TestApp;
  beforeAll(async () => {
    pg = await startPostgres();
    const url = new URL(pg.url);
    link = await startDelayProxy(Number(url.port), { targetHost: url.hostname });
    api = await startTestApp({ DATABASE_URL: link.rewrite(pg.url) });
  });
  afterAll(async () => {
    await api?.close();
    await link?.stop();
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

  test('GET /readyz asks the database at most once a second, however many ask at once (it answers without the origin secret)', async () => {
    await sleep(PAST_REUSE_MS);
    const readinessQueries = link.countSent('SELECT 1\0');
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${api.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }))));
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } })]));
    // The 50 requests shared one check; 50 more within the second reuse its verdict.
    expect(readinessQueries()).toBe(1);
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${api.url}/readyz`).then((r) => r.arrayBuffer())));
    expect(readinessQueries()).toBe(1);
    await sleep(PAST_REUSE_MS);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect(readinessQueries()).toBe(2);
  });

  test('with the database unreachable GET /readyz answers 503 naming the part, and nothing else (no host, port or error); it recovers', async () => {
    link.cut();
    try {
      await sleep(PAST_REUSE_MS);
      const response = await fetch(`${api.url}/readyz`);
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', failing: ['database'], checks: { database: 'unavailable' } });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('server')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    } finally {
      link.restore();
    }
    await sleep(PAST_REUSE_MS);
    const response = await fetch(`${api.url}/readyz`);
    expect(response.status).toBe(200);
  });

  test('an unknown route gets 404 with the error shape', async () => {
    const response = await fetch(`${api.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
