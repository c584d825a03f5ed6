import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, newUser, type ApiResponse } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

/**
 * The feed read with a queue configured (QUEUE=postgres), no worker running:
 * feed_entries rows are written here by hand, so each case states exactly
 * which precomputed rows exist. Real PostgreSQL, the API in-process.
 */
jest.setTimeout(60_000);

type User = { id: string; token: string };

describe('GET /api/feed with a queue (feed_entries + celebrities)', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let db: Client;

  beforeAll(async () => {
    pg = await startPostgres();
    api = await startTestApp({ DATABASE_URL: pg.url, QUEUE: 'postgres', FEED_CELEBRITY_FOLLOWERS: '1', FEED_CELEBRITY_REFRESH_MS: '0' });
    db = new Client({ connectionString: pg.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await api?.close();
    await pg?.stop();
  });

  async function post(user: User): Promise<string> {
    return (await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: '', contentType: 'image/png', size: 1 } })).body.photo.id;
  }
  async function follow(follower: User, followee: User): Promise<void> {
    expect((await call(api.url, 'PUT', `/api/users/${followee.id}/follow`, { token: follower.token })).status).toBe(204);
  }
  async function entry(reader: User, author: User, photoId: string): Promise<void> {
    await db.query('INSERT INTO feed_entries (user_id, photo_id, author_id, created_at) VALUES ($1, $2, $3, now())', [reader.id, photoId, author.id]);
  }
  async function pages(reader: User, limit: number): Promise<string[][]> {
    const out: string[][] = [];
    let cursor: string | null = null;
    do {
      const response: ApiResponse = await call(api.url, 'GET', `/api/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: reader.token });
      expect(response.status).toBe(200);
      out.push(response.body.items.map((p: { id: string }) => p.id));
      cursor = response.body.nextCursor;
    } while (cursor && out.length < 20);
    return out;
  }

  test('the API enqueues feed.fanout, feed.retract and feed.backfill in the jobs table', async () => {
    const author = await newUser(api.url, 'qa');
    const fan = await newUser(api.url, 'qf');
    await follow(fan, author);
    const photo = await post(author);
    expect((await call(api.url, 'DELETE', `/api/photos/${photo}`, { token: author.token })).status).toBe(204);
    const deadline = Date.now() + 5000;
    let bodies: unknown[] = [];
    while (bodies.length < 3 && Date.now() < deadline) {
      bodies = (await db.query(`SELECT body FROM jobs WHERE body ->> 'authorId' = $1 OR body ->> 'followeeId' = $1 ORDER BY id`, [author.id])).rows.map((r) => r.body);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Enqueued after each write's answer, not in its transaction (FeedFanout), so a delete that follows
    // its post at once can queue its retract first: the three jobs, in any order (a feed page skips
    // entries of a photo that is gone, docs/queue.md, so a late fan-out shows nothing).
    const byType = (a: unknown, b: unknown) => String((a as { type: string }).type).localeCompare(String((b as { type: string }).type));
    expect([...bodies].sort(byType)).toEqual([
      { type: 'feed.backfill', version: 1, followerId: fan.id, followeeId: author.id },
      { type: 'feed.fanout', version: 1, photoId: photo, authorId: author.id },
      { type: 'feed.retract', version: 1, photoId: photo, authorId: author.id },
    ]);
  });

  test('pages walk the precomputed entries newest first; entries of deleted photos are skipped without shortening a page', async () => {
    const reader = await newUser(api.url, 'r1');
    const author = await newUser(api.url, 'a1');
    await follow(reader, author);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await post(author));
    for (const id of ids) await entry(reader, author, id);
    // Three of them deleted, their retraction not run: the entries stay.
    for (const id of [ids[6], ids[5], ids[3]]) await db.query('DELETE FROM photos WHERE id = $1', [id]);
    expect(await pages(reader, 2)).toEqual([
      [ids[4], ids[2]],
      [ids[1], ids[0]],
    ]);
  });

  test('only photos of authors the reader follows now; a photo newer than the oldest entry read is shown only through its entry', async () => {
    const reader = await newUser(api.url, 'r2');
    const kept = await newUser(api.url, 'k2');
    const left = await newUser(api.url, 'l2');
    await follow(reader, kept);
    await follow(reader, left);
    const a = await post(kept);
    const b = await post(left);
    await post(kept); // never fanned out: not in this precomputed feed
    await entry(reader, kept, a);
    await entry(reader, left, b);
    expect(await pages(reader, 10)).toEqual([[b, a]]);
    expect((await call(api.url, 'DELETE', `/api/users/${left.id}/follow`, { token: reader.token })).status).toBe(204);
    expect(await pages(reader, 10)).toEqual([[a]]);
  });

  test("entries of deleted photos never let a full page reach past the last entry read to older photos (the reader's own here)", async () => {
    const reader = await newUser(api.url, 'r6');
    const author = await newUser(api.url, 'a6');
    await follow(reader, author);
    const own = [await post(reader), await post(reader)];
    const theirs = [await post(author), await post(author), await post(author), await post(author)];
    for (const id of theirs) await entry(reader, author, id);
    // The newest entries' photos deleted, their retraction not run: the first entries read hold one photo, and
    // the reader's two photos would fill the page, yet the next entry (theirs[0]) is newer than both.
    for (const id of [theirs[2], theirs[1]]) await db.query('DELETE FROM photos WHERE id = $1', [id]);
    expect(await pages(reader, 2)).toEqual([
      [theirs[3], theirs[0]],
      [own[1], own[0]],
    ]);
  });

  test('where the entries run out, pages continue with the pull query below the oldest entry (photos from before the queue, beyond the backfill)', async () => {
    const reader = await newUser(api.url, 'r4');
    const author = await newUser(api.url, 'a4');
    const other = await newUser(api.url, 'b4');
    await follow(reader, author);
    await follow(reader, other);
    const old = [await post(author), await post(other), await post(author)]; // before the queue: no entries
    const recent = [await post(other), await post(author)];
    for (const id of recent) await entry(reader, id === recent[0] ? other : author, id);
    expect(await pages(reader, 2)).toEqual([
      [recent[1], recent[0]],
      [old[2], old[1]],
      [old[0]],
    ]);
  });

  test('a reader with no entries at all (queue just switched on, feeds not seeded) still gets the whole feed from the pull query', async () => {
    const reader = await newUser(api.url, 'r5');
    const author = await newUser(api.url, 'a5');
    await follow(reader, author);
    const ids = [await post(author), await post(author), await post(author)];
    expect(await pages(reader, 2)).toEqual([[ids[2], ids[1]], [ids[0]]]);
  });

  test('celebrity followees (more than FEED_CELEBRITY_FOLLOWERS = 1) are read at request time and merged; an entry they already have is not repeated', async () => {
    const reader = await newUser(api.url, 'r3');
    const other = await newUser(api.url, 'o3');
    const star = await newUser(api.url, 's3');
    const plain = await newUser(api.url, 'p3');
    await follow(reader, star);
    await follow(other, star); // two followers: a celebrity
    await follow(reader, plain);
    const s1 = await post(star);
    const p1 = await post(plain);
    const s2 = await post(star);
    const p2 = await post(plain);
    await entry(reader, plain, p1);
    await entry(reader, plain, p2);
    await entry(reader, star, s1); // fanned out before the star crossed the threshold
    expect(await pages(reader, 3)).toEqual([
      [p2, s2, p1],
      [s1],
    ]);
  });

  test("likedByMe on every row, entries and celebrities alike; a deleted celebrity photo is gone at once; a celebrity's photos leave the page at once on unfollow, fanned-out entries too", async () => {
    const reader = await newUser(api.url, 'r7');
    const star = await newUser(api.url, 's7');
    const plain = await newUser(api.url, 'p7');
    await follow(reader, star);
    await follow(await newUser(api.url, 'o7'), star); // two followers: a celebrity
    await follow(reader, plain);
    const s1 = await post(star);
    const p1 = await post(plain);
    const s2 = await post(star);
    await entry(reader, plain, p1);
    await entry(reader, star, s1); // fanned out before the star crossed the threshold
    for (const id of [s2, p1]) expect((await call(api.url, 'PUT', `/api/photos/${id}/like`, { token: reader.token })).status).toBe(204);
    const feed = await call(api.url, 'GET', '/api/feed?limit=10', { token: reader.token });
    expect(feed.body.items.map((p: { id: string; likedByMe: boolean }) => [p.id, p.likedByMe])).toEqual([
      [s2, true],
      [p1, true],
      [s1, false],
    ]);
    expect((await call(api.url, 'DELETE', `/api/photos/${s2}`, { token: star.token })).status).toBe(204);
    expect(await pages(reader, 10)).toEqual([[p1, s1]]);
    expect((await call(api.url, 'DELETE', `/api/users/${star.id}/follow`, { token: reader.token })).status).toBe(204);
    expect(await pages(reader, 10)).toEqual([[p1]]);
  });
});
