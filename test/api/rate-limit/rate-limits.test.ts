import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser, uniqueName } from '../support/http';
import { requestFrom } from '../support/forwarding-proxy';
import { startTestApp, type TestApp } from '../../support/api-server';

const ATTACKER = '127.0.0.7';
const ACCOMPLICE = '127.0.0.9';
const VICTIM = '127.0.0.8';
const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limits', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  describe('log-in (issue 14, defect 10)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({
        DATABASE_URL: await pg.createDatabase(),
        AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '3',
        AUTH_RATE_LIMIT_PER_USERNAME: '7',
        AUTH_RATE_LIMIT_PER_IP: '1000',
      });
    });
    afterAll(async () => api?.close());

    const logIn = (from: string, username: string, password: string) =>
      requestFrom(from, `${api.url}/api/sessions`, { method: 'POST', body: { username, password } });

    test("a stranger's wrong guesses do not lock the owner out, and the stranger's Retry-After is the rest of the window", async () => {
      const username = uniqueName('victim');
      expect((await call(api.url, 'POST', '/api/users', { body: { username, password: PASSWORD } })).status).toBe(201);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await logIn(ATTACKER, username, 'wrong guess')).status);
      // The window opened with the first guess; the refusal comes two seconds into it.
      await sleep(2_100);
      const refused = await logIn(ATTACKER, username, 'wrong guess');
      expect([...statuses, refused.status]).toEqual([401, 401, 401, 429]);
      expect(refused.body.error.code).toBe('rate_limited');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(58);
      // Even the right password from the stranger's address waits; from the owner's it works.
      expect((await logIn(ATTACKER, username, PASSWORD)).status).toBe(429);
      expect((await logIn(VICTIM, username, PASSWORD)).status).toBe(201);
    }, 20_000);

    test('the per-username ceiling stops guessing spread over many addresses', async () => {
      const username = uniqueName('target');
      expect((await call(api.url, 'POST', '/api/users', { body: { username, password: PASSWORD } })).status).toBe(201);
      const statuses: number[] = [];
      for (const from of [ATTACKER, ACCOMPLICE, '127.0.0.10']) for (let i = 0; i < 3; i++) statuses.push((await logIn(from, username, 'wrong guess')).status);
      // 9 attempts from 3 addresses: each address stays within its 3, the username's 7 do not.
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429, 429]);
    });
  });

  describe('photos per user (issue 14, defect 7)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ DATABASE_URL: await pg.createDatabase(), PHOTO_CREATE_LIMIT_PER_USER: '3', PHOTO_UPLOAD_LIMIT_PER_USER: '2' });
    });
    afterAll(async () => api?.close());

    const create = (token: string) => call(api.url, 'POST', '/api/photos', { token, body: { caption: '', contentType: 'image/png', size: 4 } });

    test('creating photos past the hourly limit gets 429 with Retry-After and creates nothing; other users are not affected', async () => {
      const busy = await newUser(api.url);
      const other = await newUser(api.url);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await create(busy.token)).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      const refused = await create(busy.token);
      expectError(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
      const listed = await call(api.url, 'GET', `/api/users/${busy.id}/photos`);
      expect(listed.body.items).toHaveLength(3);
      expect((await create(other.token)).status).toBe(201);
    });

    test('upload attempts past the hourly limit get 429 before any byte is stored', async () => {
      const user = await newUser(api.url);
      const photos = [];
      for (let i = 0; i < 3; i++) photos.push((await create(user.token)).body.photo.id as string);
      const upload = (id: string) =>
        call(api.url, 'PUT', `/api/photos/${id}/content`, { token: user.token, raw: new Uint8Array([1, 2, 3, 4]), headers: { 'content-type': 'image/png' } });
      expect((await upload(photos[0])).status).toBe(204);
      expect((await upload(photos[1])).status).toBe(204);
      expectError(await upload(photos[2]), 429, 'rate_limited');
      expect((await call(api.url, 'GET', `/api/photos/${photos[2]}`)).body.status).toBe('pending');
      expect((await call(api.url, 'GET', `/api/photos/${photos[2]}/content`)).status).toBe(404);
    });
  });
});
