import { createHash, randomBytes } from 'node:crypto';
import { shardOfId } from '../../../contracts/ids';
import { newToken } from '../../../api/src/sessions/tokens';
import { sql, startPostgresServers, type TestPostgresServers } from '../../support/postgres-servers';
import { call, expectError } from '../support/http';
import { signUpOnServer } from '../support/shard-users';
import { startTestApp, type TestApp } from '../../support/api-server';

const hash = (token: string) => createHash('sha256').update(token).digest();

describe('database sessions on two servers: each on its user’s shard, legacy tokens on the first primary', () => {
  let pg: TestPostgresServers;
  let api: TestApp;
  beforeAll(async () => {
    pg = await startPostgresServers(2);
    api = await startTestApp({ SHARD_DATABASE_URLS: pg.urls.join(',') });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  const userOn = (index: 0 | 1) => signUpOnServer(api.url, index, { logIn: false });
  const sessionsOf = async (server: 0 | 1, userId: string) =>
    (await sql<{ n: number }>(pg.urls[server], 'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]))[0].n;

  test('log-in stores the session on the user’s server, the token names that shard, and log-out removes it there', async () => {
    // Server 1: not the first primary, so a session found there was routed by the token's shard.
    const user = await userOn(1);
    const { token } = (await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'password123' } })).body;
    expect(token).toHaveLength(46);
    expect(Buffer.from(token, 'base64url').readUInt16BE(0)).toBe(shardOfId(user.id));
    expect([await sessionsOf(0, user.id), await sessionsOf(1, user.id)]).toEqual([0, 1]);
    expect((await call(api.url, 'GET', '/api/feed', { token })).status).toBe(200);
    expect((await call(api.url, 'DELETE', '/api/sessions', { token })).status).toBe(204);
    expect(await sessionsOf(1, user.id)).toBe(0);
    expectError(await call(api.url, 'GET', '/api/feed', { token }), 401, 'unauthorized');
  });

  test('a legacy 43-character token (made when one server held everything) is found on the first primary, and log-out ends it', async () => {
    // Its user lives on the first primary, as every user did when the token was made.
    const user = await userOn(0);
    const legacy = randomBytes(32).toString('base64url');
    expect(legacy).toHaveLength(43);
    await sql(pg.urls[0], `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [hash(legacy), user.id]);
    const created = await call(api.url, 'POST', '/api/photos', { token: legacy, body: { caption: 'legacy', contentType: 'image/png', size: 1 } });
    expect(created.status).toBe(201);
    expect(created.body.photo.userId).toBe(user.id);
    expect((await call(api.url, 'DELETE', '/api/sessions', { token: legacy })).status).toBe(204);
    expect(await sessionsOf(0, user.id)).toBe(0);
    expectError(await call(api.url, 'GET', '/api/feed', { token: legacy }), 401, 'unauthorized');
  });

  test('a well-formed token that names a shard but no session, or names a shard that cannot exist, is 401', async () => {
    expectError(await call(api.url, 'GET', '/api/feed', { token: newToken(3000) }), 401, 'unauthorized');
    const impossible = Buffer.alloc(34, 7);
    impossible.writeUInt16BE(65535, 0);
    expectError(await call(api.url, 'GET', '/api/feed', { token: impossible.toString('base64url') }), 401, 'unauthorized');
  });
});
