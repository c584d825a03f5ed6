import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, uniqueName, type ApiResponse } from './support/http';
import { startTestApp, type TestApp } from '../support/api-server';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly reqId?: string;
  readonly [field: string]: unknown;
}

describe('logging (REQUEST_LOG=all)', () => {
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
    // The most verbose level, so anything that could leak (or add a line) would.
    api = await startTestApp({ DATABASE_URL: pg.url, LOG_LEVEL: 'trace', REQUEST_LOG: 'all' }, sink);
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  const parsed = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

  /** The request's ID as its response names it. */
  function idOf(response: ApiResponse): string {
    const id = response.headers.get('x-request-id');
    if (!id) throw new Error(`no x-request-id on a ${response.status} response`);
    return id;
  }

  /**
   * Every line of one request, once its request line is written: the client
   * can see the response before the server's 'finish' handler runs, so wait
   * (bounded) for the line rather than read too early.
   */
  async function linesOf(reqId: string, last = 'request completed'): Promise<LogLine[]> {
    const deadline = Date.now() + 5_000;
    while (!parsed().some((line) => line.reqId === reqId && line.msg === last) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return parsed().filter((line) => line.reqId === reqId);
  }

  test('one line per request, written when it is answered, named by the X-Request-Id the response carries', async () => {
    const username = uniqueName('log');
    const requests = [
      await call(api.url, 'GET', '/healthz'),
      await call(api.url, 'POST', '/api/users', { body: { username, password: 'one-line-per-request' } }),
      await call(api.url, 'GET', `/api/users?prefix=${username.slice(0, 5)}&limit=5`),
      await call(api.url, 'GET', '/api/no-such-route'),
      await call(api.url, 'POST', '/api/sessions', { raw: '{"username":', headers: { 'content-type': 'application/json' } }),
    ];
    expect(requests.map((response) => response.status)).toEqual([200, 201, 200, 404, 400]);
    const ids = requests.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = await Promise.all(ids.map((id) => linesOf(id)));
    expect(seen.map((own) => own.length)).toEqual([1, 1, 1, 1, 1]);
    expect(seen.map(([line]) => ({ msg: line.msg, level: line.level, method: line.method, url: line.url, statusCode: line.statusCode }))).toEqual([
      { msg: 'request completed', level: 30, method: 'GET', url: '/healthz', statusCode: 200 },
      { msg: 'request completed', level: 30, method: 'POST', url: '/api/users', statusCode: 201 },
      // The query string is kept: no route takes a credential in it (docs/api.md, "Request logging").
      { msg: 'request completed', level: 30, method: 'GET', url: `/api/users?prefix=${username.slice(0, 5)}&limit=5`, statusCode: 200 },
      { msg: 'request completed', level: 30, method: 'GET', url: '/api/no-such-route', statusCode: 404 },
      { msg: 'request completed', level: 30, method: 'POST', url: '/api/sessions', statusCode: 400 },
    ]);
    for (const [line] of seen) expect(line.responseTime).toEqual(expect.any(Number));
  });

  test('an inbound X-Request-Id is the request ID: kept in the line and echoed on the response', async () => {
    const response = await call(api.url, 'GET', '/healthz', { headers: { 'x-request-id': 'trace-me-42' } });
    expect(idOf(response)).toBe('trace-me-42');
    const own = await linesOf('trace-me-42');
    expect(own).toEqual([expect.objectContaining({ msg: 'request completed', url: '/healthz', statusCode: 200 })]);
  });

  test('an inbound X-Request-Id that is not an ID (too long, or not an ID\'s characters) is replaced by a fresh one, neither logged nor echoed', async () => {
    for (const inbound of ['x'.repeat(129), '{"forged":"line"}']) {
      const response = await call(api.url, 'GET', '/healthz', { headers: { 'x-request-id': inbound } });
      const id = idOf(response);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await linesOf(id)).toEqual([expect.objectContaining({ msg: 'request completed', url: '/healthz' })]);
      expect(parsed().some((line) => JSON.stringify(line).includes(inbound))).toBe(false);
    }
  });

  test('a request the client abandons before its answer still leaves one line: "request aborted"', async () => {
    const { port } = new URL(api.url);
    // A sign-up whose body never arrives in full: the client goes away while the API waits for the rest.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write('POST /api/users HTTP/1.1\r\nhost: api\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nx-request-id: abandoned-7\r\n\r\n{"username":');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const own = await linesOf('abandoned-7', 'request aborted');
    // Anything the API still does with the request afterwards must not add a second line.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(parsed().filter((line) => line.reqId === 'abandoned-7')).toEqual(own);
    expect(own).toEqual([expect.objectContaining({ level: 30, msg: 'request aborted', method: 'POST', url: '/api/users' })]);
  });

  test('bearer tokens, cookies, security tokens, passwords and connection strings never appear in any line', async () => {
    const username = uniqueName('log');
    const password = 'pa55-word-that-must-not-leak';
    await call(api.url, 'POST', '/api/users', { body: { username, password } });
    const session = await call(api.url, 'POST', '/api/sessions', { body: { username, password } });
    const token: string = session.body.token;
    const cookie = 'cookie-value-that-must-not-leak';
    const securityToken = 'security-token-that-must-not-leak';
    const credentials = { token, headers: { cookie: `graminsta_wal=${cookie}`, 'x-amz-security-token': securityToken } };
    const requests = [
      await call(api.url, 'GET', '/api/feed', credentials),
      await call(api.url, 'DELETE', '/api/sessions', credentials),
      // The same token again, now dead: a 401.
      await call(api.url, 'GET', '/api/feed', credentials),
      await call(api.url, 'POST', '/api/sessions', { body: { username, password: `${password}-wrong` } }),
      await call(api.url, 'POST', '/api/users', { raw: `{"username":"${username}","password":"${password}"`, headers: { 'content-type': 'application/json' } }),
    ];
    expect(requests.map((response) => response.status)).toEqual([200, 204, 401, 401, 400]);
    // Each request's line is written before the text is searched.
    for (const response of requests) expect(await linesOf(idOf(response))).toHaveLength(1);

    const text = lines.join('\n');
    for (const secret of [password, token, cookie, securityToken, pg.url]) expect(text).not.toContain(secret);
    const dbPassword = new URL(pg.url).password;
    if (dbPassword) expect(text).not.toContain(dbPassword);
  });

  test('a 500 logs its error once, under the request ID, beside the request line', async () => {
    const database = new Client({ connectionString: pg.url });
    await database.connect();
    // A real server fault: the table the photo read queries is gone (42P01, not a dependency outage).
    await database.query('ALTER TABLE photos RENAME TO photos_hidden_by_logging_test');
    try {
      const response = await call(api.url, 'GET', '/api/photos/1');
      expect(response.status).toBe(500);
      const own = await linesOf(idOf(response));
      expect(own.map((line) => ({ msg: line.msg, level: line.level, statusCode: line.statusCode }))).toEqual([
        { msg: 'request failed', level: 50, statusCode: undefined },
        { msg: 'request completed', level: 30, statusCode: 500 },
      ]);
      expect(own[0].err).toEqual(expect.objectContaining({ message: expect.stringContaining('photos') }));
    } finally {
      await database.query('ALTER TABLE photos_hidden_by_logging_test RENAME TO photos');
      await database.end();
    }
  });
});

/** The default (REQUEST_LOG=problems): a line only for what needs looking at; CloudFront's log has the rest. */
describe('logging (REQUEST_LOG=problems, the default)', () => {
  let pg: TestPostgres;
  const started: TestApp[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    for (const app of started) await app.close();
    await pg?.stop();
  });

  async function appWith(env: Record<string, string>): Promise<{ api: TestApp; lines: () => LogLine[] }> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const api = await startTestApp({ DATABASE_URL: pg.url, LOG_LEVEL: 'info', ...env }, sink);
    started.push(api);
    return { api, lines: () => lines.map((line) => JSON.parse(line) as LogLine) };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  test('a fast success writes no line; a 4xx writes its one line; CloudFront\'s X-Amz-Cf-Id is the request ID', async () => {
    const { api, lines } = await appWith({});
    const cloudFrontId = 'ZjpLZ0gz5J3zv9h_pG6Ivi8LPyGflGCCC3-8eTCdTG0jNzJ1W0ycbQ==';
    const ok = await call(api.url, 'GET', '/healthz', { headers: { 'x-amz-cf-id': cloudFrontId } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe(cloudFrontId);
    const missing = await call(api.url, 'GET', '/api/no-such-route', { headers: { 'x-amz-cf-id': 'cf-404' } });
    expect(missing.status).toBe(404);
    await settle();
    const requestLines = lines().filter((line) => line.msg === 'request completed');
    expect(requestLines).toEqual([expect.objectContaining({ reqId: 'cf-404', url: '/api/no-such-route', statusCode: 404 })]);
  });

  test('a success at least REQUEST_LOG_SLOW_MS slow writes its line', async () => {
    const { api, lines } = await appWith({ REQUEST_LOG_SLOW_MS: '0' });
    const ok = await call(api.url, 'GET', '/healthz', { headers: { 'x-request-id': 'slow-1' } });
    expect(ok.status).toBe(200);
    await settle();
    expect(lines().filter((line) => line.reqId === 'slow-1')).toEqual([expect.objectContaining({ msg: 'request completed', statusCode: 200 })]);
  });
});

