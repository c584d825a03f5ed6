import fc from 'fast-check';
import { MAX_CAPTION_CHARS, MAX_UPLOAD_BYTES, PHOTO_CONTENT_TYPES } from '../../contracts/photo-uploads';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, newUser } from './support/http';
import { startTestApp, type TestApp } from '../support/api-server';

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly raw?: string;
  readonly contentType?: string;
  readonly auth?: boolean;
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const user = (body: unknown): Pick<Case, 'method' | 'path' | 'body'> => ({ method: 'POST', path: '/api/users', body });
const photo = (body: unknown): Pick<Case, 'method' | 'path' | 'body' | 'auth'> => ({ method: 'POST', path: '/api/photos', body, auth: true });
const good = { caption: 'ok', contentType: 'image/jpeg', size: 10 };

/** Each must get a 4xx with the error shape and change nothing. */
const CASES: Case[] = [
  { name: 'bad JSON', method: 'POST', path: '/api/users', raw: '{"username": "abc", ', contentType: 'application/json' },
  { name: 'empty JSON body', method: 'POST', path: '/api/users', raw: '', contentType: 'application/json' },
  { name: 'JSON body is an array', ...user([{ username: 'abcdef', password: 'password123' }]) },
  { name: 'JSON body is a string', ...user('username=abc') },
  { name: 'JSON body is null', method: 'POST', path: '/api/users', raw: 'null', contentType: 'application/json' },
  { name: 'form-encoded body', method: 'POST', path: '/api/users', raw: 'username=abcdef&password=password123', contentType: 'application/x-www-form-urlencoded' },
  { name: 'text/plain body', method: 'POST', path: '/api/users', raw: '{"username":"abcdef","password":"password123"}', contentType: 'text/plain' },
  { name: 'oversized body (64 KiB)', ...user({ username: 'abcdef', password: 'x'.repeat(64 * 1024) }) },
  { name: '__proto__ in body', method: 'POST', path: '/api/users', raw: '{"username":"abcdef","password":"password123","__proto__":{"admin":true}}', contentType: 'application/json' },
  { name: 'missing username', ...user({ password: 'password123' }) },
  { name: 'missing password', ...user({ username: 'abcdef' }) },
  { name: 'username too short', ...user({ username: 'ab', password: 'password123' }) },
  { name: 'username too long', ...user({ username: 'a'.repeat(31), password: 'password123' }) },
  { name: 'username upper case', ...user({ username: 'Alice', password: 'password123' }) },
  { name: 'username with Unicode', ...user({ username: 'zoë_x', password: 'password123' }) },
  { name: 'username SQL injection', ...user({ username: "a'; DROP TABLE users;--", password: 'password123' }) },
  { name: 'username number', ...user({ username: 12345, password: 'password123' }) },
  { name: 'username null', ...user({ username: null, password: 'password123' }) },
  { name: 'password too short', ...user({ username: 'abcdef', password: '1234567' }) },
  { name: 'password too long', ...user({ username: 'abcdef', password: 'p'.repeat(129) }) },
  { name: 'password number', ...user({ username: 'abcdef', password: 12345678 }) },
  { name: 'password with NUL', ...user({ username: 'abcdef', password: 'pass\u0000word123' }) },
  { name: 'extra field on sign-up', ...user({ username: 'abcdef', password: 'password123', admin: true }) },
  { name: 'log-in without password', method: 'POST', path: '/api/sessions', body: { username: 'abcdef' } },
  { name: 'log-in username wrong type', method: 'POST', path: '/api/sessions', body: { username: ['abcdef'], password: 'password123' } },
  { name: 'log-in extra field', method: 'POST', path: '/api/sessions', body: { username: 'abcdef', password: 'password123', remember: true } },
  { name: 'caption too long', ...photo({ ...good, caption: 'c'.repeat(MAX_CAPTION_CHARS + 1) }) },
  { name: 'caption of one emoji too many (code points)', ...photo({ ...good, caption: '😀'.repeat(MAX_CAPTION_CHARS + 1) }) },
  { name: 'caption number', ...photo({ ...good, caption: 42 }) },
  { name: 'caption with NUL', ...photo({ ...good, caption: 'a\u0000b' }) },
  { name: 'caption with lone surrogate', method: 'POST', path: '/api/photos', raw: '{"caption":"\\ud800","contentType":"image/jpeg","size":10}', contentType: 'application/json', auth: true },
  { name: 'contentType image/gif', ...photo({ ...good, contentType: 'image/gif' }) },
  { name: 'contentType upper case', ...photo({ ...good, contentType: 'IMAGE/JPEG' }) },
  { name: 'size 0', ...photo({ ...good, size: 0 }) },
  { name: 'size over the upload limit', ...photo({ ...good, size: MAX_UPLOAD_BYTES + 1 }) },
  { name: 'size fractional', ...photo({ ...good, size: 1.5 }) },
  { name: 'size as string', ...photo({ ...good, size: '10' }) },
  { name: 'size negative', ...photo({ ...good, size: -1 }) },
  { name: 'size huge', ...photo({ ...good, size: 1e300 }) },
  { name: 'missing contentType', ...photo({ caption: 'x', size: 10 }) },
  { name: 'extra field userId', ...photo({ ...good, userId: '1' }) },
  { name: 'photo without token', method: 'POST', path: '/api/photos', body: good },
  { name: 'id not a number', method: 'GET', path: '/api/users/abc' },
  { name: 'id negative', method: 'GET', path: '/api/users/-1' },
  { name: 'id zero', method: 'GET', path: '/api/users/0' },
  { name: 'id with leading zero', method: 'GET', path: '/api/users/0123' },
  { name: 'id over 64 bits', method: 'GET', path: '/api/users/99999999999999999999' },
  { name: 'id 2^63', method: 'GET', path: '/api/users/9223372036854775808' },
  { name: 'id fractional', method: 'GET', path: '/api/photos/1.5' },
  { name: 'id exponent', method: 'PUT', path: '/api/photos/1e3/like', auth: true },
  { name: 'id Arabic-Indic digits', method: 'GET', path: `/api/users/${encodeURIComponent('١٢٣')}` },
  { name: 'id SQL injection', method: 'DELETE', path: `/api/photos/${encodeURIComponent("1 OR 1=1")}`, auth: true },
  { name: 'follow bad id', method: 'PUT', path: '/api/users/abc/follow', auth: true },
  { name: 'limit 0', method: 'GET', path: '/api/users/1/photos?limit=0' },
  { name: 'limit 101', method: 'GET', path: '/api/users/1/photos?limit=101' },
  { name: 'limit huge', method: 'GET', path: '/api/users/1/photos?limit=100000000' },
  { name: 'limit not a number', method: 'GET', path: '/api/feed?limit=ten', auth: true },
  { name: 'limit negative', method: 'GET', path: '/api/feed?limit=-5', auth: true },
  { name: 'limit twice', method: 'GET', path: '/api/feed?limit=1&limit=2', auth: true },
  { name: 'cursor garbage', method: 'GET', path: '/api/feed?cursor=%21%21%21', auth: true },
  { name: 'cursor not ours', method: 'GET', path: `/api/users/1/photos?cursor=${b64('v1:abc')}` },
  { name: 'cursor other version', method: 'GET', path: `/api/users/1/photos?cursor=${b64('v2:123')}` },
  { name: 'cursor too long', method: 'GET', path: `/api/users/1/photos?cursor=${'A'.repeat(100)}` },
  { name: 'cursor with NUL', method: 'GET', path: '/api/feed?cursor=%00', auth: true },
  { name: 'id with a malformed percent-escape', method: 'GET', path: '/api/users/%E0%A4%A' },
  { name: 'id 150 digits long', method: 'GET', path: `/api/photos/${'9'.repeat(150)}` },
  { name: 'unknown route', method: 'GET', path: '/api/nothing-here' },
  { name: 'wrong method', method: 'PATCH', path: '/api/users/1' },
];

describe('malformed requests', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let token: string;
  let photoId: string;

  /** Everything a request could change, as one digest (rate-limit counters aside: they count attempts by design). */
  async function fingerprint(): Promise<string> {
    // Every server of the layout (one, or several when re-run by the shard-layout suites).
    const digests = await Promise.all(api.app.db.nodes.map((node) => node.query<{ digest: string }>(`SELECT md5(
      coalesce((SELECT string_agg(u::text, '|' ORDER BY id) FROM users u), '') ||
      coalesce((SELECT string_agg(p::text, '|' ORDER BY id) FROM photos p), '') ||
      coalesce((SELECT string_agg(f::text, '|' ORDER BY follower_id, followee_id) FROM following f), '') ||
      coalesce((SELECT string_agg(f::text, '|' ORDER BY followee_id, follower_id) FROM followers f), '') ||
      coalesce((SELECT string_agg(l::text, '|' ORDER BY photo_id, user_id) FROM likes l), '') ||
      coalesce((SELECT string_agg(s::text, '|' ORDER BY token_hash) FROM sessions s), '')) AS digest`)));
    return digests.map(({ rows }) => rows[0].digest).join('|');
  }

  beforeAll(async () => {
    pg = await startPostgres();
    api = await startTestApp({ DATABASE_URL: pg.url });
    const me = await newUser(api.url);
    token = me.token;
    photoId = (await call(api.url, 'POST', '/api/photos', { token, body: good })).body.photo.id;
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  test(`there are at least 40 hand-written cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(CASES)('$name → 4xx with the error shape, nothing changed', async (c) => {
    const before = await fingerprint();
    const headers: Record<string, string> = {};
    if (c.contentType) headers['content-type'] = c.contentType;
    const response = await call(api.url, c.method, c.path, {
      body: c.body,
      raw: c.raw,
      headers,
      token: c.auth ? token : undefined,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toEqual({ error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) } });
    expect(await fingerprint()).toBe(before);
  });

  test('property: any invalid photo body gets a 4xx and changes nothing', async () => {
    const before = await fingerprint();
    const field = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, fc.anything());
    const body = fc.dictionary(fc.constantFrom('caption', 'contentType', 'size', 'extra', 'userId'), fc.anything(), { maxKeys: 5 }).chain((base) =>
      fc.record({
        caption: field(fc.string({ maxLength: 2300 })),
        contentType: field(fc.constantFrom('image/jpeg', 'image/png', 'image/webp', 'image/gif', '')),
        size: field(fc.oneof(fc.integer(), fc.double())),
      }, { requiredKeys: [] }).map((known) => ({ ...base, ...known })),
    );
    const isValid = (b: Record<string, unknown>) =>
      Object.keys(b).every((k) => ['caption', 'contentType', 'size'].includes(k)) &&
      typeof b.caption === 'string' && [...b.caption].length <= MAX_CAPTION_CHARS && !/[\u0000\ud800-\udfff]/u.test(b.caption) &&
      (PHOTO_CONTENT_TYPES as readonly string[]).includes(b.contentType as string) &&
      Number.isInteger(b.size) && (b.size as number) >= 1 && (b.size as number) <= MAX_UPLOAD_BYTES;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        fc.pre(!isValid(b));
        const response = await call(api.url, 'POST', '/api/photos', { token, body: b });
        return response.status >= 400 && response.status < 500 && typeof response.body?.error?.code === 'string';
      }),
      { numRuns: 150 },
    );
    expect(await fingerprint()).toBe(before);
  });

  test('property: any path segment that is not a valid ID gets a 4xx and changes nothing', async () => {
    const before = await fingerprint();
    const segment = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[1-9]\d{0,18}$/.test(s) && s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom('GET /api/users/:id', 'GET /api/photos/:id', 'PUT /api/photos/:id/like', 'DELETE /api/photos/:id', 'PUT /api/users/:id/follow'), async (id, route) => {
        const [method, template] = route.split(' ');
        const response = await call(api.url, method, template.replace(':id', encodeURIComponent(id)), { token });
        return response.status >= 400 && response.status < 500;
      }),
      { numRuns: 150 },
    );
    expect(await fingerprint()).toBe(before);
    expect((await call(api.url, 'GET', `/api/photos/${photoId}`)).status).toBe(200);
  });
});
