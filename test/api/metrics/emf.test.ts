import { Writable } from 'node:stream';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { startTestApp, type TestApp } from '../../support/api-server';
import { call, newUser } from '../support/http';
import { emfProblems } from './emf-schema';

/** An app whose production logger writes into `lines`, and the EMF documents among them. */
async function appWithLog(env: Record<string, string>): Promise<{ api: TestApp; lines: string[]; emf: () => Record<string, any>[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const api = await startTestApp(env, sink);
  const emf = () => lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, any>);
  return { api, lines, emf };
}

/** The documents of the last flush that carry `Route` = route. */
function routeDocuments(documents: Record<string, any>[], route: string): Record<string, any>[] {
  return documents.filter((document) => document.Route === route);
}

const business = (documents: Record<string, any>[]) => documents.find((document) => 'SignUps' in document)!;

describe('the EMF validator', () => {
  test('accepts a document the specification shows and refuses ones it forbids', () => {
    const good = { _aws: { Timestamp: 1574109732004, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['functionVersion']], Metrics: [{ Name: 'time', Unit: 'Milliseconds' }] }] }, functionVersion: '$LATEST', time: 100 };
    expect(emfProblems(JSON.stringify(good))).toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, time: Array.from({ length: 101 }, () => 1) }))).not.toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, functionVersion: 3 }))).not.toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, time: undefined }))).not.toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, _aws: { ...good._aws, Timestamp: '2026-12-05' } }))).not.toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, _aws: { ...good._aws, CloudWatchMetrics: [{ ...good._aws.CloudWatchMetrics[0], Metrics: [{ Name: 'time', Unit: 'ms' }] }] } }))).not.toEqual([]);
    expect(emfProblems(`x ${JSON.stringify(good)}`)).toEqual(['not JSON']);
  });
});

describe('EMF metrics in the log stream', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let lines: string[];
  let emf: () => Record<string, any>[];
  beforeAll(async () => {
    pg = await startPostgres();
    // LOG_LEVEL=warn as the fleet might set it: metrics are published whatever the level.
    ({ api, lines, emf } = await appWithLog({ DATABASE_URL: pg.url, LOG_LEVEL: 'warn' }));
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  test('one interval is a few EMF lines, every one valid against the specification, never one line per request', async () => {
    const before = lines.length;
    for (let i = 0; i < 30; i++) await call(api.url, 'GET', '/healthz');
    // Nothing is written while requests are answered: only the flush writes.
    expect(lines.length).toBe(before);
    await api.app.metrics.flush();
    const written = lines.slice(before);
    // The route's line (30 latency values fit one) and the business line.
    expect(written).toHaveLength(2);
    for (const line of written) expect(emfProblems(line)).toEqual([]);
  });

  test('many distinct URLs are one route dimension; counts equal the requests made, latency has one value each', async () => {
    await api.app.metrics.flush();
    const since = emf().length;
    const ids = Array.from({ length: 150 }, (_, i) => `${1_000_000 + i}`);
    for (const id of ids) expect((await call(api.url, 'GET', `/api/photos/${id}`)).status).toBe(404);
    for (let i = 0; i < 25; i++) await call(api.url, 'GET', `/no/such/path/${i}?q=${i}`);
    for (let i = 0; i < 7; i++) await call(api.url, 'GET', '/healthz');
    await api.app.metrics.flush();
    const documents = emf().slice(since);
    for (const document of documents) expect(emfProblems(JSON.stringify(document))).toEqual([]);

    const routes = new Set(documents.map((document) => document.Route).filter(Boolean));
    expect([...routes].sort()).toEqual(['GET /api/photos/:id', 'GET /healthz', 'unmatched']);
    for (const route of routes) {
      // Route and the whole API: two dimension sets, never the URL, an ID or an instance.
      for (const document of routeDocuments(documents, route)) expect(document._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Route'], []]);
    }

    const photos = routeDocuments(documents, 'GET /api/photos/:id');
    // 150 latency values: more than one EMF array holds (100), so two lines.
    expect(photos).toHaveLength(2);
    expect(photos[0]).toMatchObject({ Requests: 150, Status4xx: 150, Status5xx: 0 });
    expect(photos.flatMap((document) => document.Latency)).toHaveLength(150);
    expect(photos.flatMap((document) => document.Latency).every((ms: number) => ms >= 0 && ms < 60_000)).toBe(true);
    expect(routeDocuments(documents, 'unmatched')[0]).toMatchObject({ Requests: 25, Status4xx: 25 });
    expect(routeDocuments(documents, 'GET /healthz')[0]).toMatchObject({ Requests: 7, Status4xx: 0, Status5xx: 0 });
    expect(routeDocuments(documents, 'GET /healthz')[0].Latency).toHaveLength(7);
  });

  test('sign-ups, log-ins, uploads, follows and likes are counted from successful answers; active users are distinct', async () => {
    await api.app.metrics.flush();
    const since = emf().length;
    const alice = await newUser(api.url, 'emfa');
    const bob = await newUser(api.url, 'emfb');
    const photo = await call(api.url, 'POST', '/api/photos', { token: alice.token, body: { caption: 'x', contentType: 'image/jpeg', size: 1000 } });
    expect(photo.status).toBe(201);
    expect((await call(api.url, 'PUT', `/api/users/${alice.id}/follow`, { token: bob.token })).status).toBe(204);
    expect((await call(api.url, 'PUT', `/api/photos/${photo.body.photo.id}/like`, { token: bob.token })).status).toBe(204);
    // Failures never count: a wrong password, a duplicate sign-up.
    expect((await call(api.url, 'POST', '/api/sessions', { body: { username: alice.username, password: 'wrong password here' } })).status).toBe(401);
    expect((await call(api.url, 'POST', '/api/users', { body: { username: alice.username, password: 'correct horse battery' } })).status).toBe(409);
    await api.app.metrics.flush();
    const figures = business(emf().slice(since));
    expect(emfProblems(JSON.stringify(figures))).toEqual([]);
    expect(figures._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(figures).toMatchObject({ SignUps: 2, LogIns: 2, Uploads: 1, Follows: 1, Likes: 1 });
    // alice and bob made signed-in requests today (this process, no Redis).
    expect(figures.ActiveUsers).toBe(2);
  });
});

describeWithRedis('EMF metrics with Redis', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  const apps: { api: TestApp; emf: () => Record<string, any>[] }[] = [];
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    for (let i = 0; i < 2; i++) apps.push(await appWithLog({ DATABASE_URL: pg.url, REDIS_URL: redis.url }));
  });
  afterAll(async () => {
    for (const { api } of apps) await api.close();
    await redis?.stop();
    await pg?.stop();
  });

  test('daily active users are counted across instances (one HyperLogLog in Redis), and the cache hit ratio is published', async () => {
    const [one, two] = apps;
    const users = [await newUser(one.api.url, 'dau'), await newUser(two.api.url, 'dau'), await newUser(one.api.url, 'dau')];
    // The first user on instance one only, the others on both, twice each: three distinct users, whichever instance is asked.
    for (let i = 0; i < 2; i++) await call(one.api.url, 'GET', '/api/feed', { token: users[0].token });
    for (const { api } of apps) for (const user of users.slice(1)) for (let i = 0; i < 2; i++) await call(api.url, 'GET', '/api/feed', { token: user.token });
    for (let i = 0; i < 3; i++) expect((await call(one.api.url, 'GET', `/api/users/${users[0].id}`)).status).toBe(200);
    for (const { api } of apps) await api.app.metrics.flush();
    const figures = apps.map(({ emf }) => business(emf().slice(-10)));
    for (const document of figures) expect(emfProblems(JSON.stringify(document))).toEqual([]);
    // Other suites' users may share the day's key only if they share this Redis: this one is fresh.
    expect(figures.map((document) => document.ActiveUsers)).toEqual([3, 3]);
    // The first read misses (then fills), the next two hit.
    expect(figures[0]).toMatchObject({ CacheHits: 2, CacheMisses: 1, CacheHitRatio: 66.7 });
  });
});
