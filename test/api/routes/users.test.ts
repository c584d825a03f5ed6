import { shardForUsername } from '../../../contracts/ids';
import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser, uniqueName } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

describe('users and sessions (PostgreSQL sessions, no Redis)', () => {
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

  describe('POST /api/users', () => {
    test('creates a user: 201 with id (decimal string), username, createdAt', async () => {
      const username = uniqueName('new');
      const response = await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.stringMatching(/^\d+$/), username, createdAt: expect.any(String) });
      expect(new Date(response.body.createdAt).toISOString()).toBe(response.body.createdAt);
    });

    test("createdAt, on sign-up and from GET /api/users/:id, is the row's created_at as pg's own Date path gives it (toISOString)", async () => {
      const created: { id: string; createdAt: string }[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await call(api.url, 'POST', '/api/users', { body: { username: uniqueName('when'), password: 'password123' } });
        created.push({ id: response.body.id, createdAt: response.body.createdAt });
      }
      // A client of pg's defaults on each user's server (shard layouts re-run this suite): the Date path the API took before, as the reference.
      const byId = new Map<string, string>();
      for (const { id } of created) {
        const client = new Client(api.config.primaries[api.app.db.forId(id).index].primary);
        await client.connect();
        const { rows } = await client.query<{ created_at: Date }>('SELECT created_at FROM users WHERE id = $1', [id]);
        await client.end();
        byId.set(id, rows[0].created_at.toISOString());
      }
      const expected = created.map((user) => ({ id: user.id, createdAt: byId.get(user.id) }));
      expect(created).toEqual(expected);
      for (const user of expected) expect((await call(api.url, 'GET', `/api/users/${user.id}`)).body.createdAt).toBe(user.createdAt);
    });

    test('a taken username gets 409 username_taken', async () => {
      const username = uniqueName('dup');
      await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } });
      expectError(await call(api.url, 'POST', '/api/users', { body: { username, password: 'otherpassword' } }), 409, 'username_taken');
    });

    test('stores only a salted scrypt hash of the password', async () => {
      const username = uniqueName('hash');
      await call(api.url, 'POST', '/api/users', { body: { username, password: 'password123' } });
      const { rows } = await api.app.db.forShard(shardForUsername(username)).query('SELECT password_hash FROM users WHERE username = $1', [username]);
      expect(rows[0].password_hash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(rows[0].password_hash).not.toContain('password123');
    });
  });

  describe('POST /api/sessions', () => {
    test('logs in: 201 with a token of at least 128 bits and the userId', async () => {
      const user = await newUser(api.url);
      // 2 bytes of logical shard + 32 random bytes, base64url (docs/sharding.md).
      expect(user.token).toMatch(/^[A-Za-z0-9_-]{46}$/);
      const me = await call(api.url, 'GET', `/api/users/${user.id}`);
      expect(me.body.username).toBe(user.username);
    });

    test('a wrong password or an unknown user gets 401 invalid_credentials', async () => {
      const user = await newUser(api.url);
      expectError(await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'wrong password' } }), 401, 'invalid_credentials');
      expectError(await call(api.url, 'POST', '/api/sessions', { body: { username: uniqueName('ghost'), password: 'whatever1' } }), 401, 'invalid_credentials');
    });

    test('tokens are stored hashed: the session table never holds the token', async () => {
      const user = await newUser(api.url);
      const { rows } = await api.app.db.forId(user.id).query('SELECT token_hash FROM sessions WHERE user_id = $1', [user.id]);
      expect(rows).toHaveLength(1);
      expect(Buffer.from(rows[0].token_hash).toString('base64url')).not.toBe(user.token);
      expect(Buffer.from(rows[0].token_hash)).toHaveLength(32);
    });
  });

  describe('DELETE /api/sessions', () => {
    test('204, and the token stops working at once; another user’s session is untouched', async () => {
      const alice = await newUser(api.url, 'alice');
      const bob = await newUser(api.url, 'bob');
      expect((await call(api.url, 'DELETE', '/api/sessions', { token: alice.token })).status).toBe(204);
      expectError(await call(api.url, 'PUT', `/api/users/${bob.id}/follow`, { token: alice.token }), 401, 'unauthorized');
      expectError(await call(api.url, 'DELETE', '/api/sessions', { token: alice.token }), 401);
      expect((await call(api.url, 'PUT', `/api/users/${alice.id}/follow`, { token: bob.token })).status).toBe(204);
    });

    test('without a token gets 401', async () => {
      expectError(await call(api.url, 'DELETE', '/api/sessions'), 401, 'unauthorized');
    });
  });

  describe('GET /api/users/:id', () => {
    test('200 with counts; 404 for an unknown id', async () => {
      const user = await newUser(api.url);
      const response = await call(api.url, 'GET', `/api/users/${user.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: user.id,
        username: user.username,
        createdAt: expect.any(String),
        photoCount: 0,
        followerCount: 0,
        followingCount: 0,
      });
      expectError(await call(api.url, 'GET', '/api/users/123456789'), 404, 'not_found');
    });
  });

  describe('PUT and DELETE /api/users/:id/follow', () => {
    test('follow is idempotent and counted once; unfollow is idempotent', async () => {
      const a = await newUser(api.url);
      const b = await newUser(api.url);
      for (let i = 0; i < 2; i++) expect((await call(api.url, 'PUT', `/api/users/${b.id}/follow`, { token: a.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/users/${b.id}`)).body.followerCount).toBe(1);
      expect((await call(api.url, 'GET', `/api/users/${a.id}`)).body.followingCount).toBe(1);
      for (let i = 0; i < 2; i++) expect((await call(api.url, 'DELETE', `/api/users/${b.id}/follow`, { token: a.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/users/${b.id}`)).body.followerCount).toBe(0);
    });

    test('following yourself is 400; an unknown user is 404; no token is 401', async () => {
      const a = await newUser(api.url);
      expectError(await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: a.token }), 400, 'cannot_follow_self');
      expectError(await call(api.url, 'PUT', '/api/users/99999999/follow', { token: a.token }), 404, 'not_found');
      expectError(await call(api.url, 'PUT', `/api/users/${a.id}/follow`), 401, 'unauthorized');
      expectError(await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: 'x'.repeat(43) }), 401, 'unauthorized');
    });
  });
});
