import { Redis } from 'ioredis';
import { FeedWriter } from '../../../api/src/feed/feed-writer';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { call, expectError, newUser, uniqueName } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

type User = { id: string; username: string; token: string };

/** A second device of the same user: another session of the same account. */
async function secondDevice(base: string, user: User): Promise<User> {
  const session = await call(base, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } });
  expect(session.status).toBe(201);
  return { ...user, token: session.body.token };
}

async function post(base: string, user: User): Promise<string> {
  const created = await call(base, 'POST', '/api/photos', { token: user.token, body: { caption: 'x', contentType: 'image/png', size: 1 } });
  expect(created.status).toBe(201);
  return created.body.photo.id;
}

async function feedPages(base: string, reader: User, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const response: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await call(base, 'GET', `/api/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: reader.token });
    expect(response.status).toBe(200);
    pages.push(response.body.items.map((p: { id: string }) => p.id));
    cursor = response.body.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

describe("the viewer's own state (one PostgreSQL server)", () => {
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

  test('likedByMe: what this user likes, on every device, on the photo, the user\'s photos and the feed; absent when anonymous', async () => {
    const alice = await newUser(api.url, 'la');
    const bob = await newUser(api.url, 'lb');
    const photo = await post(api.url, alice);
    expect((await call(api.url, 'PUT', `/api/users/${alice.id}/follow`, { token: bob.token })).status).toBe(204);
    const phone = await secondDevice(api.url, bob);
    expect((await call(api.url, 'PUT', `/api/photos/${photo}/like`, { token: bob.token })).status).toBe(204);

    const views = async (viewer?: User) => {
      const token = viewer?.token;
      const one = (await call(api.url, 'GET', `/api/photos/${photo}`, { token })).body;
      const list = (await call(api.url, 'GET', `/api/users/${alice.id}/photos`, { token })).body.items[0];
      return [one.likedByMe, list.likedByMe];
    };
    expect(await views(phone)).toEqual([true, true]);
    expect((await call(api.url, 'GET', '/api/feed', { token: phone.token })).body.items[0]).toMatchObject({ id: photo, likedByMe: true, likeCount: 1 });
    expect(await views(alice)).toEqual([false, false]);
    expect(await views()).toEqual([undefined, undefined]);

    expect((await call(api.url, 'DELETE', `/api/photos/${photo}/like`, { token: phone.token })).status).toBe(204);
    expect(await views(bob)).toEqual([false, false]);
  });

  test('a photo just created is not liked by its owner', async () => {
    const carol = await newUser(api.url, 'lc');
    const created = await call(api.url, 'POST', '/api/photos', { token: carol.token, body: { caption: '', contentType: 'image/jpeg', size: 5 } });
    expect(created.body.photo.likedByMe).toBe(false);
  });

  test('followedByMe on a profile for a signed-in viewer, on every device; absent when anonymous', async () => {
    const dana = await newUser(api.url, 'fd');
    const erin = await newUser(api.url, 'fe');
    const tablet = await secondDevice(api.url, erin);
    const profile = async (viewer?: User) => (await call(api.url, 'GET', `/api/users/${dana.id}`, { token: viewer?.token })).body;
    expect((await profile(erin)).followedByMe).toBe(false);
    expect((await call(api.url, 'PUT', `/api/users/${dana.id}/follow`, { token: erin.token })).status).toBe(204);
    expect(await profile(tablet)).toMatchObject({ id: dana.id, followerCount: 1, followedByMe: true });
    expect((await profile(dana)).followedByMe).toBe(false);
    expect(await profile()).not.toHaveProperty('followedByMe');
    expect((await call(api.url, 'DELETE', `/api/users/${dana.id}/follow`, { token: tablet.token })).status).toBe(204);
    expect((await profile(erin)).followedByMe).toBe(false);
  });

  test('a bad or expired token reads the profile anonymously (no 401 on a public route)', async () => {
    const fay = await newUser(api.url, 'ff');
    const response = await call(api.url, 'GET', `/api/users/${fay.id}`, { token: 'x'.repeat(46) });
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('followedByMe');
  });

  test("the feed holds the reader's own photos with those of the people they follow, newest first; a new user's feed is their own photos", async () => {
    const newcomer = await newUser(api.url, 'fn');
    const mine = await post(api.url, newcomer);
    expect((await call(api.url, 'GET', '/api/feed', { token: newcomer.token })).body.items.map((p: { id: string }) => p.id)).toEqual([mine]);
    const friend = await newUser(api.url, 'fo');
    const theirs = await post(api.url, friend);
    const newer = await post(api.url, newcomer);
    expect((await call(api.url, 'PUT', `/api/users/${friend.id}/follow`, { token: newcomer.token })).status).toBe(204);
    expect(await feedPages(api.url, newcomer, 2)).toEqual([[newer, theirs], [mine]]);
  });

  describe('GET /api/users?prefix=', () => {
    test('people whose username starts with the prefix, in username order, paged by cursor, case-insensitive', async () => {
      const stem = uniqueName('sr').slice(0, 20);
      const names = ['b', 'a', 'c_1', 'c0', 'd'].map((suffix) => `${stem}${suffix}`);
      const ids = new Map<string, string>();
      for (const username of names) {
        const created = await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } });
        ids.set(username, created.body.id);
      }
      const sorted = [...names].sort();
      const first = await call(api.url, 'GET', `/api/users?prefix=${stem.toUpperCase()}&limit=3`);
      expect(first.status).toBe(200);
      expect(first.body.items).toEqual(sorted.slice(0, 3).map((username) => ({ id: ids.get(username), username })));
      const second = await call(api.url, 'GET', `/api/users?prefix=${stem}&limit=3&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ items: sorted.slice(3).map((username) => ({ id: ids.get(username), username })), nextCursor: null });
      expect((await call(api.url, 'GET', `/api/users?prefix=${stem}c`)).body.items.map((u: { username: string }) => u.username)).toEqual([`${stem}c0`, `${stem}c_1`]);
      expect((await call(api.url, 'GET', `/api/users?prefix=${stem}zz`)).body).toEqual({ items: [], nextCursor: null });
    });

    test('bad input is a 400 that names it', async () => {
      for (const query of ['', '?prefix=', '?prefix=a%25', `?prefix=${'a'.repeat(31)}`, '?prefix=a&limit=0', '?prefix=a&cursor=nope', `?prefix=a&cursor=${Buffer.from('v1:123').toString('base64url')}`]) {
        const response = await call(api.url, 'GET', `/api/users${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
        expectError(response, 400);
      }
    });

    test('can read the username index (one range) for a prefix, as the table grows past a sequential scan', async () => {
      const plan = await api.app.db.nodes[0].transaction(async (client) => {
        // A test table is small enough that a sequential scan is cheaper; forbid it to see what the index allows.
        await client.query('SET LOCAL enable_seqscan = off');
        await client.query('SET LOCAL enable_bitmapscan = off');
        const { rows } = await client.query(
          `EXPLAIN SELECT id, username FROM users WHERE (username COLLATE "C") >= 'ab' AND (username COLLATE "C") < 'ab\u{10FFFF}' ORDER BY (username COLLATE "C") LIMIT 21`,
        );
        return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index Scan using users_username_c_idx/);
      expect(plan).not.toMatch(/Sort/);
    });
  });
});

describe('GET /api/users?prefix= on three PostgreSQL servers', () => {
  let servers: TestPostgres[];
  let api: TestApp;
  beforeAll(async () => {
    servers = await Promise.all([startPostgres(), startPostgres(), startPostgres()]);
    api = await startTestApp({ SHARD_DATABASE_URLS: servers.map((s) => s.url).join(',') });
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all((servers ?? []).map((s) => s.stop()));
  });

  test('finds the matches on every server, once each, in one username order across pages', async () => {
    const stem = uniqueName('sh').slice(0, 18);
    const names = Array.from({ length: 12 }, (_, i) => `${stem}${String(i).padStart(2, '0')}`);
    for (const username of names) expect((await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } })).status).toBe(201);
    const holders = new Set<number>();
    for (const [index, node] of api.app.db.nodes.entries()) {
      const { rows } = await node.query('SELECT 1 FROM users WHERE username LIKE $1', [`${stem}%`]);
      if (rows.length > 0) holders.add(index);
    }
    expect(holders.size).toBe(3);
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { body: { items: { username: string }[]; nextCursor: string | null } } = await call(api.url, 'GET', `/api/users?prefix=${stem}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      found.push(...response.body.items.map((u: { username: string }) => u.username));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(found).toEqual(names);
  });
});

describe('the fan-out feed (QUEUE=postgres, entries written by the worker\'s FeedWriter) and the pull feed give the same pages, own photos included', () => {
  let pg: TestPostgres;
  let pull: TestApp;
  let fanout: TestApp;
  beforeAll(async () => {
    pg = await startPostgres();
    pull = await startTestApp({ DATABASE_URL: pg.url });
    fanout = await startTestApp({ DATABASE_URL: pg.url, QUEUE: 'postgres', FEED_CELEBRITY_FOLLOWERS: '2', FEED_CELEBRITY_REFRESH_MS: '0' });
  });
  afterAll(async () => {
    await fanout?.close();
    await pull?.close();
    await pg?.stop();
  });

  test('same first pages, with the reader\'s own photos, an ordinary followee\'s (fanned out) and a celebrity\'s (read at request time)', async () => {
    const reader = await newUser(pull.url, 'qr');
    const friend = await newUser(pull.url, 'qf');
    const star = await newUser(pull.url, 'qs');
    for (const fan of [reader, await newUser(pull.url, 'q1'), await newUser(pull.url, 'q2')]) {
      expect((await call(pull.url, 'PUT', `/api/users/${star.id}/follow`, { token: fan.token })).status).toBe(204);
    }
    expect((await call(pull.url, 'PUT', `/api/users/${friend.id}/follow`, { token: reader.token })).status).toBe(204);
    const writer = new FeedWriter(pull.app.db, { celebrityFollowers: 2 });
    const own: string[] = [];
    for (let i = 0; i < 4; i++) {
      own.push(await post(pull.url, reader));
      const friendPhoto = await post(pull.url, friend);
      await writer.fanout(friendPhoto, friend.id);
      await post(pull.url, star);
    }
    const pulled = await feedPages(pull.url, reader, 5);
    expect(pulled.flat()).toHaveLength(12);
    expect(pulled.flat()).toEqual(expect.arrayContaining(own));
    expect(await feedPages(fanout.url, reader, 5)).toEqual(pulled);
  });
});

describeWithRedis('followedByMe is never in the shared profile cache entry (Redis)', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let api: TestApp;
  let inspect: Redis;
  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    inspect = new Redis(redis.url);
    api = await startTestApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    inspect?.disconnect();
    await api?.close();
    await redis?.stop();
    await pg?.stop();
  });

  test('two viewers of one cached profile each see their own followedByMe; the cache holds the profile alone', async () => {
    const star = await newUser(api.url, 'cs');
    const fan = await newUser(api.url, 'cf');
    const stranger = await newUser(api.url, 'cx');
    expect((await call(api.url, 'PUT', `/api/users/${star.id}/follow`, { token: fan.token })).status).toBe(204);
    const asFan = await call(api.url, 'GET', `/api/users/${star.id}`, { token: fan.token });
    const asStranger = await call(api.url, 'GET', `/api/users/${star.id}`, { token: stranger.token });
    const anonymous = await call(api.url, 'GET', `/api/users/${star.id}`);
    expect([asFan.body.followedByMe, asStranger.body.followedByMe, anonymous.body.followedByMe]).toEqual([true, false, undefined]);
    const cached = JSON.parse((await inspect.get(`user:${star.id}`))!);
    expect(cached).toEqual({ ...anonymous.body });
    expect(cached).not.toHaveProperty('followedByMe');
  });
});
