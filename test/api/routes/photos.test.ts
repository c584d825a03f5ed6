import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);

describe('photos, likes and feed (local storage)', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-photos-'));
    api = await startTestApp({ DATABASE_URL: pg.url, DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function createPhoto(token: string, caption = 'hello', size = JPEG.length) {
    const response = await call(api.url, 'POST', '/api/photos', { token, body: { caption, contentType: 'image/jpeg', size } });
    expect(response.status).toBe(201);
    return response.body as { photo: any; upload: { method: string; url: string; headers: Record<string, string> } };
  }

  async function upload(token: string, created: { upload: { url: string; headers: Record<string, string> } }, bytes = JPEG) {
    return call(api.url, 'PUT', created.upload.url, { token, raw: bytes, headers: created.upload.headers });
  }

  describe('POST /api/photos then PUT /api/photos/:id/content', () => {
    test('creates a pending photo with upload instructions for the API’s own route; the upload makes it ready and served', async () => {
      const user = await newUser(api.url);
      const created = await createPhoto(user.token, 'first ☀️');
      expect(created.photo).toEqual({
        id: expect.stringMatching(/^\d+$/),
        userId: user.id,
        caption: 'first ☀️',
        contentType: 'image/jpeg',
        url: `/api/photos/${created.photo.id}/content`,
        createdAt: expect.any(String),
        likeCount: 0,
        status: 'pending',
        likedByMe: false,
      });
      // Root-relative: it resolves against whichever origin the client reached the API through (CloudFront or direct).
      expect(created.upload).toEqual({ method: 'PUT', url: `/api/photos/${created.photo.id}/content`, headers: { 'Content-Type': 'image/jpeg' } });
      expect((await upload(user.token, created)).status).toBe(204);
      const file = join(dataDir, 'media', 'originals', user.id, created.photo.id);
      expect(readFileSync(file)).toEqual(JPEG);
      expect((await call(api.url, 'GET', `/api/photos/${created.photo.id}`)).body.status).toBe('ready');
      const content = await fetch(new URL(created.photo.url, api.url));
      expect(content.status).toBe(200);
      expect(content.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await content.arrayBuffer())).toEqual(JPEG);
      expect((await call(api.url, 'GET', `/api/users/${user.id}`)).body.photoCount).toBe(1);
    });

    test('an upload over the declared size gets 413 and stores nothing', async () => {
      const user = await newUser(api.url);
      const created = await createPhoto(user.token, 'small', 10);
      expectError(await upload(user.token, created), 413, 'payload_too_large');
      expect(existsSync(join(dataDir, 'media', 'originals', user.id, created.photo.id))).toBe(false);
      expect((await call(api.url, 'GET', `/api/photos/${created.photo.id}`)).body.status).toBe('pending');
    });

    test('a content type other than the declared one gets 415', async () => {
      const user = await newUser(api.url);
      const created = await createPhoto(user.token);
      expectError(await upload(user.token, { upload: { url: created.upload.url, headers: { 'Content-Type': 'image/png' } } }), 415);
      expectError(await upload(user.token, { upload: { url: created.upload.url, headers: { 'Content-Type': 'text/plain' } } }), 415);
    });

    test('only the owner can upload; no token is 401', async () => {
      const owner = await newUser(api.url);
      const other = await newUser(api.url);
      const created = await createPhoto(owner.token);
      expectError(await upload(other.token, created), 403, 'forbidden');
      expectError(await call(api.url, 'PUT', `/api/photos/${created.photo.id}/content`, { raw: JPEG, headers: { 'content-type': 'image/jpeg' } }), 401);
      expectError(await call(api.url, 'POST', '/api/photos', { body: { caption: '', contentType: 'image/png', size: 1 } }), 401);
    });
  });

  describe('GET and DELETE /api/photos/:id', () => {
    test('GET is 404 for an unknown photo', async () => {
      expectError(await call(api.url, 'GET', '/api/photos/4242424242'), 404, 'not_found');
    });

    test('the owner deletes (204, bytes gone, counts down); anyone else gets 403 and nothing changes', async () => {
      const owner = await newUser(api.url);
      const other = await newUser(api.url);
      const created = await createPhoto(owner.token);
      await upload(owner.token, created);
      expectError(await call(api.url, 'DELETE', `/api/photos/${created.photo.id}`, { token: other.token }), 403, 'forbidden');
      expect((await call(api.url, 'GET', `/api/photos/${created.photo.id}`)).status).toBe(200);
      expect((await call(api.url, 'DELETE', `/api/photos/${created.photo.id}`, { token: owner.token })).status).toBe(204);
      expectError(await call(api.url, 'GET', `/api/photos/${created.photo.id}`), 404);
      expect(existsSync(join(dataDir, 'media', 'originals', owner.id, created.photo.id))).toBe(false);
      expect((await call(api.url, 'GET', `/api/users/${owner.id}`)).body.photoCount).toBe(0);
      expectError(await call(api.url, 'DELETE', `/api/photos/${created.photo.id}`, { token: owner.token }), 404);
    });
  });

  describe('likes', () => {
    test('like and unlike are idempotent and counted once; unknown photo is 404', async () => {
      const owner = await newUser(api.url);
      const fan = await newUser(api.url);
      const { photo } = await createPhoto(owner.token);
      for (let i = 0; i < 3; i++) expect((await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fan.token })).status).toBe(204);
      expect((await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: owner.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/photos/${photo.id}`)).body.likeCount).toBe(2);
      for (let i = 0; i < 2; i++) expect((await call(api.url, 'DELETE', `/api/photos/${photo.id}/like`, { token: fan.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/photos/${photo.id}`)).body.likeCount).toBe(1);
      expectError(await call(api.url, 'PUT', '/api/photos/777777777/like', { token: fan.token }), 404);
      expectError(await call(api.url, 'PUT', `/api/photos/${photo.id}/like`), 401);
    });
  });

  describe('GET /api/users/:id/photos', () => {
    test('newest first, keyset pages of `limit` with an opaque cursor, null at the end', async () => {
      const user = await newUser(api.url);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createPhoto(user.token, `p${i}`)).photo.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const response = await call(api.url, 'GET', `/api/users/${user.id}/photos${query}`);
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.items.map((p: { id: string }) => p.id));
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect(pages).toBe(3);
      const all = await call(api.url, 'GET', `/api/users/${user.id}/photos`);
      expect(all.body.items).toHaveLength(5);
      expect(all.body.nextCursor).toBeNull();
    });

    test('an unknown user is 404; a user without photos gets an empty page', async () => {
      expectError(await call(api.url, 'GET', '/api/users/31337/photos'), 404);
      const user = await newUser(api.url);
      expect((await call(api.url, 'GET', `/api/users/${user.id}/photos`)).body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('createdAt', () => {
    test("is the row's created_at as pg's own Date path gives it (toISOString): on creation, by ID, in the list and in the feed", async () => {
      const user = await newUser(api.url);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await createPhoto(user.token, `t${i}`)).photo.id);
      const created = await createPhoto(user.token, 'last');
      ids.push(created.photo.id);
      // A client of pg's defaults on the user's server (shard layouts re-run this suite): the Date path the API took before, as the reference.
      const client = new Client(api.config.primaries[api.app.db.forId(user.id).index].primary);
      await client.connect();
      const { rows } = await client.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM photos WHERE id = ANY($1::bigint[]) ORDER BY id DESC', [ids]);
      await client.end();
      const expected = rows.map((row) => ({ id: row.id, createdAt: row.created_at.toISOString() }));
      expect(expected).toHaveLength(9);
      expect(created.photo.createdAt).toBe(expected[0].createdAt);
      expect((await call(api.url, 'GET', `/api/photos/${created.photo.id}`)).body.createdAt).toBe(expected[0].createdAt);
      const pick = (items: { id: string; createdAt: string }[]) => items.map(({ id, createdAt }) => ({ id, createdAt }));
      expect(pick((await call(api.url, 'GET', `/api/users/${user.id}/photos?limit=20`)).body.items)).toEqual(expected);
      expect(pick((await call(api.url, 'GET', '/api/feed?limit=20', { token: user.token })).body.items)).toEqual(expected);
    });
  });

  describe('GET /api/feed', () => {
    test("the reader's own photos and those of followed users only, newest first, paginated; 401 without a token", async () => {
      const me = await newUser(api.url);
      const a = await newUser(api.url);
      const b = await newUser(api.url);
      const stranger = await newUser(api.url);
      await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: me.token });
      await call(api.url, 'PUT', `/api/users/${b.id}/follow`, { token: me.token });
      const expected: string[] = [];
      for (const author of [a, b, a, stranger, b]) {
        const { photo } = await createPhoto(author.token);
        if (author !== stranger) expected.unshift(photo.id);
      }
      expected.unshift((await createPhoto(me.token)).photo.id);
      const first = await call(api.url, 'GET', '/api/feed?limit=3', { token: me.token });
      expect(first.status).toBe(200);
      const second = await call(api.url, 'GET', `/api/feed?limit=3&cursor=${first.body.nextCursor}`, { token: me.token });
      expect([...first.body.items, ...second.body.items].map((p: { id: string }) => p.id)).toEqual(expected);
      expect(second.body.nextCursor).toBeNull();
      expectError(await call(api.url, 'GET', '/api/feed'), 401);
    });
  });
});
