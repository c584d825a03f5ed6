import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../../api/src/db/migrate';
import { sql } from '../../support/postgres-servers';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser, uniqueName } from '../support/http';
import { requestFrom, startForwardingProxy, type ForwardingProxy } from '../support/forwarding-proxy';
import { NOWHERE, PARAMETER_NAME, RegionParameter, startRegionApp, twoRegions, type RegionApp } from './support/region-app';

/**
 * Stage 10m, writes have one home: an API outside the home region sends every
 * write on to home's API and answers with home's response. Two "regions" on
 * loopback, each its own API on its own PostgreSQL server (B's is migrated by
 * hand, standing in for a replica of A's: this file is about where writes
 * go, not about replication, which test/api/regions/replicas.test.ts covers).
 */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 7), Buffer.from([0xff, 0xd9])]);
const CLIENT = '127.0.0.5';
const CDN = '127.0.0.2';
const SPOOFED = '203.0.113.9';

describe('writes outside the home region go home', () => {
  let pgA: TestPostgres;
  let pgB: TestPostgres;
  let urlA: string;
  let urlB: string;
  let a: RegionApp;
  let b: RegionApp;
  let cdnB: ForwardingProxy;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'graminsta-region-'));
    dirs.push(dir);
    return dir;
  };
  const usersOn = async (url: string, username: string) => (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM users WHERE username = $1', [username]))[0].n;

  beforeAll(async () => {
    [pgA, pgB] = await Promise.all([startPostgres(), startPostgres()]);
    urlA = pgA.url;
    urlB = pgB.url;
    await migrate(urlB);
    // Both behind one proxy each, as behind CloudFront: TRUST_PROXY=1.
    a = await startRegionApp({ DATABASE_URL: urlA, DATA_DIR: dataDir(), TRUST_PROXY: '1', METRICS_ENDPOINT: 'true', REGION_NAME: 'region-a', REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: NOWHERE, b: NOWHERE })) });
    b = await startRegionApp({ DATABASE_URL: urlB, DATA_DIR: dataDir(), TRUST_PROXY: '1', METRICS_ENDPOINT: 'true', REGION_NAME: 'region-b', REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: a.url, b: NOWHERE })) });
    cdnB = await startForwardingProxy(CDN, b.url);
  });
  afterAll(async () => {
    await cdnB?.stop();
    await b?.close();
    await a?.close();
    await Promise.all([pgA?.stop(), pgB?.stop()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a sign-up sent to region B lands on the home primary only, and home sees the client’s own address', async () => {
    const username = uniqueName('fwd');
    const id = randomUUID();
    // Through B's "CloudFront", from the client's own address, with a forged X-Forwarded-For entry the client wrote.
    const response = await requestFrom(CLIENT, `${cdnB.url}/api/users`, {
      method: 'POST',
      body: { username, password: 'correct horse battery' },
      headers: { 'x-request-id': id, 'x-forwarded-for': SPOOFED },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.any(String), username, createdAt: expect.any(String) });
    expect(await usersOn(urlA, username)).toBe(1);
    expect(await usersOn(urlB, username)).toBe(0);
    // TRUST_PROXY=1 at both: B resolved the client through its CDN; home resolved the same address through B.
    expect(b.ipOf(id)).toBe(CLIENT);
    expect(a.ipOf(id)).toBe(CLIENT);
  });

  test('log-in, an authenticated write and a streamed upload sent to B all happen at home', async () => {
    const user = await newUser(b.url, 'fwd');
    const created = await call(b.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'from b', contentType: 'image/jpeg', size: JPEG.length } });
    expect(created.status).toBe(201);
    const uploaded = await call(b.url, 'PUT', created.body.upload.url, { token: user.token, raw: JPEG, headers: created.body.upload.headers });
    expect(uploaded.status).toBe(204);
    const atHome = await call(a.url, 'GET', `/api/photos/${created.body.photo.id}`);
    expect(atHome.body).toMatchObject({ id: created.body.photo.id, caption: 'from b', status: 'ready' });
    const bytes = await fetch(`${a.url}${atHome.body.url}`);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(JPEG)).toBe(true);
    expect((await sql(urlB, 'SELECT 1 FROM photos WHERE id = $1', [created.body.photo.id])).length).toBe(0);
    // Home's error answers come back as they are.
    expectError(await call(b.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'x', contentType: 'image/gif', size: 10 } }), 400);
    expectError(await call(b.url, 'DELETE', `/api/photos/${created.body.photo.id}`, { token: 'not-a-token' }), 401, 'unauthorized');
    // Log-out at home through B: the token stops working there.
    expect((await call(b.url, 'DELETE', '/api/sessions', { token: user.token })).status).toBe(204);
    expectError(await call(b.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'x', contentType: 'image/jpeg', size: 10 } }), 401, 'unauthorized');
  });

  test('a forwarded sign-up is counted once, by home (region B’s business figures leave it out)', async () => {
    const signUps = async (url: string) => Number(/^graminsta_sign_ups_total (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
    const before = [await signUps(a.url), await signUps(b.url)];
    expect((await call(b.url, 'POST', '/api/users', { body: { username: uniqueName('count'), password: 'correct horse battery' } })).status).toBe(201);
    expect([await signUps(a.url), await signUps(b.url)]).toEqual([before[0] + 1, before[1]]);
  });

  test('reads are served by region B itself', async () => {
    const before = a.received('/api/users');
    expect((await call(b.url, 'GET', '/api/users?prefix=fwd')).status).toBe(200);
    // A write-position cookie that is garbage, or of another epoch (before a failover), changes nothing.
    for (const cookie of ['graminsta_wal=%%%|x', 'graminsta_wal=0|primary-0=FFFFFFFF/FFFFFFFF']) {
      expect((await call(b.url, 'GET', '/api/users?prefix=fwd', { headers: { cookie } })).status).toBe(200);
    }
    expect(a.received('/api/users')).toBe(before);
  });

  test('a request already forwarded once is never forwarded again (503 not_home), even when each region thinks the other is home', async () => {
    const username = uniqueName('loop');
    const refused = await call(b.url, 'POST', '/api/users', { body: { username, password: 'correct horse battery' }, headers: { 'x-graminsta-forwarded-from': 'region-a' } });
    expectError(refused, 503, 'not_home');
    expect(refused.headers.get('retry-after')).toBe('1');
    // A third API that believes B is home, while B believes it is: a request sent to it bounces at most once.
    const confused = await startRegionApp({ DATABASE_URL: await pgA.createDatabase(), TRUST_PROXY: '1', REGION_NAME: 'region-a', REGION_CONFIG: JSON.stringify(twoRegions('region-b', { a: NOWHERE, b: b.url })) });
    try {
      const seenByB = b.received('/api/users');
      const bounced = await call(confused.url, 'POST', '/api/users', { body: { username, password: 'correct horse battery' } });
      expectError(bounced, 503, 'not_home');
      expect(b.received('/api/users') - seenByB).toBe(1);
      expect(confused.received('/api/users')).toBe(1);
    } finally {
      await confused.close();
    }
    expect(await usersOn(urlA, username)).toBe(0);
    expect(await usersOn(urlB, username)).toBe(0);
  });

  test('home unreachable: 503 home_unreachable in the error shape with Retry-After, never a 500', async () => {
    const lonely = await startRegionApp({ DATABASE_URL: urlB, REGION_NAME: 'region-b', REGION_READ_WAIT_MS: '100', REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: NOWHERE, b: NOWHERE })) });
    try {
      const user = { username: uniqueName('down'), password: 'correct horse battery' };
      for (const [method, path] of [
        ['POST', '/api/users'],
        ['POST', '/api/sessions'],
        ['PUT', '/api/users/1/follow'],
        ['DELETE', '/api/photos/1'],
      ] as const) {
        const response = await call(lonely.url, method, path, { body: user });
        expectError(response, 503, 'home_unreachable');
        expect(response.headers.get('retry-after')).toBe('2');
      }
      expect((await call(lonely.url, 'GET', '/healthz')).status).toBe(200);
      // A read whose writer's write B has not replayed would go home; home down, B serves what it has.
      const behind = await call(lonely.url, 'GET', '/api/users?prefix=down', { headers: { cookie: 'graminsta_wal=1|primary-0=FFFFFFFF/FFFFFFFF' } });
      expect(behind.status).toBe(200);
      expect(lonely.lines.some((line) => line.msg === 'replicas behind this client’s write and home unreachable: serving the read here')).toBe(true);
    } finally {
      await lonely.close();
    }
  });

  test('when the region configuration makes B home, B writes locally with no restart; a stale lower epoch never moves home back', async () => {
    const parameter = new RegionParameter(JSON.stringify(twoRegions('region-a', { a: a.url, b: NOWHERE }, 1)));
    const moving = await startRegionApp({ DATABASE_URL: urlB, REGION_NAME: 'region-b', REGION_CONFIG_PARAMETER: PARAMETER_NAME, REGION_CONFIG_REFRESH_MS: '100' }, parameter);
    try {
      const first = uniqueName('home');
      expect((await call(moving.url, 'POST', '/api/users', { body: { username: first, password: 'correct horse battery' } })).status).toBe(201);
      expect([await usersOn(urlA, first), await usersOn(urlB, first)]).toEqual([1, 0]);

      parameter.set(twoRegions('region-b', { a: a.url, b: NOWHERE }, 2));
      await waitFor(() => moving.app.region!.isHome);
      const second = uniqueName('home');
      expect((await call(moving.url, 'POST', '/api/users', { body: { username: second, password: 'correct horse battery' } })).status).toBe(201);
      expect([await usersOn(urlA, second), await usersOn(urlB, second)]).toEqual([0, 1]);

      // A copy a failover could not update (epoch 1) and an unreadable parameter change nothing.
      parameter.set(twoRegions('region-a', { a: a.url, b: NOWHERE }, 1));
      const reads = parameter.reads;
      await waitFor(() => parameter.reads >= reads + 3);
      parameter.failing = true;
      await waitFor(() => parameter.reads >= reads + 6);
      expect(moving.app.region!.isHome).toBe(true);
      expect(moving.lines.filter((line) => line.msg === 'region configuration not refreshed; keeping the one in hand')).toHaveLength(1);
      expect((await call(moving.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await moving.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
