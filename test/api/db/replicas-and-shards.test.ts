import { Client } from 'pg';
import { migrate } from '../../../api/src/db/migrate';
import { shardForUsername, shardOfId } from '../../../contracts/ids';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, newUser } from '../support/http';
import { signUpOnServer } from '../support/shard-users';
import { startTestApp, type TestApp } from '../../support/api-server';

async function sql(url: string, text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('read/write split and shard routing', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  describe('DATABASE_REPLICA_URLS', () => {
    let primaryUrl: string;
    let replicaUrl: string;
    let api: TestApp;
    beforeAll(async () => {
      primaryUrl = await pg.createDatabase();
      // A separate database stands in for a replica, so a read it answers is recognisable.
      replicaUrl = await pg.createDatabase();
      await migrate(replicaUrl);
      api = await startTestApp({ DATABASE_URL: primaryUrl, DATABASE_REPLICA_URLS: replicaUrl, READ_YOUR_WRITES_MS: '3000' });
    });
    afterAll(async () => api?.close());

    test('reads that tolerate lag are answered by the replica, not the primary', async () => {
      const user = await newUser(api.url);
      // A row only the "replica" has: seeing it proves the read went there.
      await sql(replicaUrl, `INSERT INTO photos (id, user_id, caption, content_type, size, status) VALUES (42, $1, 'from the replica', 'image/png', 1, 'ready')`, [user.id]);
      const listed = await call(api.url, 'GET', `/api/users/${user.id}/photos`);
      expect(listed.body.items.map((p: { caption: string }) => p.caption)).toEqual(['from the replica']);
      expect((await call(api.url, 'GET', '/api/photos/42')).body.caption).toBe('from the replica');
    });

    test('writes go to the primary, and the writer’s next reads too (read-your-own-writes)', async () => {
      const user = await newUser(api.url);
      const created = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'mine', contentType: 'image/png', size: 1 } });
      expect(await sql(primaryUrl, 'SELECT caption FROM photos WHERE id = $1', [created.body.photo.id])).toEqual([{ caption: 'mine' }]);
      expect(await sql(replicaUrl, 'SELECT caption FROM photos WHERE id = $1', [created.body.photo.id])).toEqual([]);
      // The writer sees the write at once; an anonymous reader gets the (lagging) replica.
      const own = await call(api.url, 'GET', `/api/users/${user.id}/photos`, { token: user.token });
      expect(own.body.items.map((p: { caption: string }) => p.caption)).toEqual(['mine']);
      const anonymous = await call(api.url, 'GET', `/api/users/${user.id}/photos`);
      expect(anonymous.body.items).toEqual([]);
      // A by-ID read that misses on the replica is retried on the primary.
      expect((await call(api.url, 'GET', `/api/photos/${created.body.photo.id}`)).body.caption).toBe('mine');
    });

    test('a replica that is down is skipped: reads fall back to the primary', async () => {
      const fallback = await startTestApp({ DATABASE_URL: primaryUrl, DATABASE_REPLICA_URLS: 'postgres://nobody:x@127.0.0.1:1/none' });
      try {
        const user = await newUser(fallback.url);
        await call(fallback.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'on primary', contentType: 'image/png', size: 1 } });
        const listed = await call(fallback.url, 'GET', `/api/users/${user.id}/photos`);
        expect(listed.status).toBe(200);
        expect(listed.body.items.map((p: { caption: string }) => p.caption)).toEqual(['on primary']);
        expect(fallback.app.db.nodes[0].stats.replicaFallbacks).toBeGreaterThan(0);
      } finally {
        await fallback.close();
      }
    });
  });

  describe('SHARD_MAP with two primaries', () => {
    let first: string;
    let second: string;
    let api: TestApp;
    beforeAll(async () => {
      first = await pg.createDatabase();
      second = await pg.createDatabase();
      const shardMap = JSON.stringify({
        logicalShards: 4096,
        primaries: [
          { url: first, shards: [0, 2047] },
          { url: second, shards: [2048, 4095] },
        ],
      });
      api = await startTestApp({ SHARD_MAP: shardMap });
    });
    afterAll(async () => api?.close());

    /** A user whose username hashes into the wanted half of the logical shards. */
    const userOn = (half: 0 | 1) => signUpOnServer(api.url, half);

    test('every row lives on the primary owning the logical shard in its ID, and the whole contract works across them', async () => {
      const a = await userOn(0);
      const b = await userOn(1);
      expect(shardOfId(a.id)).toBe(shardForUsername(a.username));
      expect(await sql(first, 'SELECT username FROM users WHERE id = $1', [a.id])).toHaveLength(1);
      expect(await sql(second, 'SELECT username FROM users WHERE id = $1', [a.id])).toHaveLength(0);
      expect(await sql(second, 'SELECT username FROM users WHERE id = $1', [b.id])).toHaveLength(1);

      const photoA = (await call(api.url, 'POST', '/api/photos', { token: a.token, body: { caption: 'a', contentType: 'image/png', size: 1 } })).body.photo;
      const photoB = (await call(api.url, 'POST', '/api/photos', { token: b.token, body: { caption: 'b', contentType: 'image/png', size: 1 } })).body.photo;
      expect(shardOfId(photoA.id)).toBe(shardOfId(a.id));
      expect(await sql(second, 'SELECT id FROM photos WHERE id = $1', [photoB.id])).toHaveLength(1);

      // A follow edge crosses primaries: stored on both, so both counts are right.
      const c = await userOn(0);
      expect((await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: c.token })).status).toBe(204);
      expect((await call(api.url, 'PUT', `/api/users/${b.id}/follow`, { token: c.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/users/${b.id}`)).body.followerCount).toBe(1);
      expect((await call(api.url, 'GET', `/api/users/${c.id}`)).body.followingCount).toBe(2);

      // The feed fans out to both primaries and merges newest first.
      const feed = await call(api.url, 'GET', '/api/feed', { token: c.token });
      expect(feed.body.items.map((p: { id: string }) => p.id)).toEqual([photoB.id, photoA.id]);

      // Likes route to the photo's primary.
      expect((await call(api.url, 'PUT', `/api/photos/${photoB.id}/like`, { token: a.token })).status).toBe(204);
      expect(await sql(second, 'SELECT like_count FROM photos WHERE id = $1', [photoB.id])).toEqual([{ like_count: 1 }]);
    });
  });
});
