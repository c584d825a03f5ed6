import { Writable } from 'node:stream';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, uniqueName } from './support/http';
import { startTestApp, type TestApp } from '../support/api-server';

describe('logging', () => {
  let pg: TestPostgres;
  let api: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    // The most verbose level, so anything that could leak would.
    api = await startTestApp({ DATABASE_URL: pg.url, LOG_LEVEL: 'trace' }, sink);
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  test('every request is logged as JSON with a request id; passwords, tokens and connection strings never appear', async () => {
    const username = uniqueName('log');
    const password = 'pa55-word-that-must-not-leak';
    await call(api.url, 'POST', '/api/users', { body: { username, password } });
    const session = await call(api.url, 'POST', '/api/sessions', { body: { username, password } });
    const token: string = session.body.token;
    await call(api.url, 'GET', '/api/feed', { token, headers: { 'x-request-id': 'trace-me-42' } });
    await call(api.url, 'POST', '/api/sessions', { body: { username, password: `${password}-wrong` } });
    await call(api.url, 'POST', '/api/users', { raw: `{"username":"${username}","password":"${password}"`, headers: { 'content-type': 'application/json' } });

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    const parsed = lines.map((line) => JSON.parse(line) as { reqId?: string });
    expect(parsed.some((entry) => entry.reqId === 'trace-me-42')).toBe(true);
    expect(parsed.filter((entry) => entry.reqId).length).toBeGreaterThan(5);
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
    const dbPassword = new URL(pg.url).password;
    if (dbPassword) expect(text).not.toContain(dbPassword);
    expect(text).not.toContain(pg.url);
  });
});
