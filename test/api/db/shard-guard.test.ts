import { Client } from 'pg';
import { migrate } from '../../../api/src/db/migrate';
import { MIGRATIONS } from '../../../api/src/db/migrations';
import { composeId, ID_EPOCH_MS } from '../../../contracts/ids';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/** An ID on `shard`, unique within this file. */
let sequence = 0;
function idOn(shard: number): string {
  sequence += 1;
  return composeId(ID_EPOCH_MS + 1_000_000 + sequence, shard, sequence).toString();
}

describe('migration 2: one home shard per row, and the shard guard', () => {
  let pg: TestPostgres;
  let client: Client;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  describe('the follows split keeps every edge and counts it', () => {
    test('edges written before migration 2 are in following and followers, and the counters match', async () => {
      const url = await pg.createDatabase();
      await migrate(url, MIGRATIONS.filter((m) => m.version === 1));
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        const [a, b, c] = [idOn(1), idOn(2), idOn(3)];
        for (const [id, name] of [[a, 'ann'], [b, 'bob'], [c, 'cat']]) {
          await db.query(`INSERT INTO users (id, username, password_hash) VALUES ($1, $2, 'x')`, [id, name]);
        }
        await db.query('INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2), ($1, $3), ($2, $3)', [a, b, c]);
        expect((await migrate(url)).applied).toContain(2);
        const following = await db.query('SELECT follower_id, followee_id FROM following ORDER BY 1, 2');
        const followers = await db.query('SELECT follower_id, followee_id FROM followers ORDER BY 1, 2');
        expect(following.rows).toEqual([
          { follower_id: a, followee_id: b },
          { follower_id: a, followee_id: c },
          { follower_id: b, followee_id: c },
        ]);
        expect(followers.rows).toEqual(following.rows);
        const counts = await db.query('SELECT username, follower_count, following_count FROM users ORDER BY username');
        expect(counts.rows).toEqual([
          { username: 'ann', follower_count: 0, following_count: 2 },
          { username: 'bob', follower_count: 1, following_count: 1 },
          { username: 'cat', follower_count: 2, following_count: 0 },
        ]);
        expect((await db.query(`SELECT to_regclass('follows') AS t`)).rows[0].t).toBeNull();
      } finally {
        await db.end();
      }
    });
  });

  describe('graminsta_shard_guard', () => {
    beforeAll(async () => {
      const url = await pg.createDatabase();
      await migrate(url);
      client = new Client({ connectionString: url });
      await client.connect();
    });
    afterAll(async () => client?.end());
    beforeEach(async () => {
      await client.query('DELETE FROM shard_moves');
      await client.query('DELETE FROM shard_changes');
    });

    const insertUser = (id: string, name: string) => client.query(`INSERT INTO users (id, username, password_hash) VALUES ($1, $2, 'x')`, [id, name]);
    const errorOf = (work: Promise<unknown>) => work.then(() => undefined, (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }));

    test('a shard with no move row is written normally and logs nothing', async () => {
      await insertUser(idOn(10), 'plain_user');
      expect((await client.query('SELECT count(*)::int AS n FROM shard_changes')).rows[0].n).toBe(0);
    });

    test('a frozen shard refuses inserts, updates and deletes with SQLSTATE 55G01; other shards still take writes', async () => {
      const id = idOn(20);
      await insertUser(id, 'frozen_user');
      await client.query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (20, 'frozen', 'primary-1', 'r1')`);
      expect(await errorOf(client.query('UPDATE users SET photo_count = 1 WHERE id = $1', [id]))).toEqual({
        code: '55G01',
        message: 'logical shard 20 is frozen for a move',
      });
      expect(await errorOf(client.query('DELETE FROM users WHERE id = $1', [id]))).toMatchObject({ code: '55G01' });
      expect(await errorOf(insertUser(idOn(20), 'frozen_new'))).toMatchObject({ code: '55G01' });
      await insertUser(idOn(21), 'neighbour_user');
      expect((await client.query('SELECT photo_count FROM users WHERE id = $1', [id])).rows[0].photo_count).toBe(0);
    });

    test('a moved shard refuses writes with SQLSTATE 55G02 naming the new server', async () => {
      await client.query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (30, 'moved', 'primary-2', 'r1')`);
      expect(await errorOf(insertUser(idOn(30), 'moved_user'))).toEqual({ code: '55G02', message: 'logical shard 30 moved to primary-2' });
    });

    test('a copying shard takes writes and logs each key, per table, with the home shard of the row', async () => {
      await client.query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (40, 'copying', 'primary-1', 'r1')`);
      const user = idOn(40);
      const photo = idOn(40);
      const other = idOn(41);
      await insertUser(user, 'copying_user');
      await insertUser(other, 'other_user');
      await client.query(`INSERT INTO photos (id, user_id, caption, content_type, size) VALUES ($1, $2, '', 'image/png', 1)`, [photo, user]);
      await client.query('INSERT INTO likes (photo_id, user_id) VALUES ($1, $2)', [photo, other]);
      await client.query('INSERT INTO following (follower_id, followee_id) VALUES ($1, $2)', [other, user]); // home: 41, not logged
      await client.query('INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2)', [user, other]); // home: 40
      await client.query(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('\\x0102', $1, now() + interval '1 day')`, [user]);
      // Read keys as text: 63-bit IDs do not survive JSON.parse (node-pg's jsonb parser) as numbers.
      const { rows } = await client.query('SELECT shard, table_name, key::text AS key FROM shard_changes ORDER BY seq');
      expect(rows).toEqual([
        { shard: 40, table_name: 'users', key: `{"id": ${user}}` },
        { shard: 40, table_name: 'photos', key: `{"id": ${photo}}` },
        { shard: 40, table_name: 'likes', key: `{"user_id": ${other}, "photo_id": ${photo}}` },
        { shard: 40, table_name: 'followers', key: `{"followee_id": ${user}, "follower_id": ${other}}` },
        { shard: 40, table_name: 'sessions', key: '{"token_hash": "\\\\x0102"}' },
      ]);
      // A logged key finds its row again, exactly, through jsonb_populate_record.
      const found = await client.query(
        `SELECT u.id FROM shard_changes c, jsonb_populate_record(NULL::users, c.key) k JOIN users u ON u.id = k.id WHERE c.table_name = 'users'`,
      );
      expect(found.rows).toEqual([{ id: user }]);
    });

    test('an incoming shard (a move target) takes writes without logging', async () => {
      await client.query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (50, 'incoming', 'primary-0', 'r1')`);
      await insertUser(idOn(50), 'incoming_user');
      expect((await client.query('SELECT count(*)::int AS n FROM shard_changes')).rows[0].n).toBe(0);
    });

    test("the resharding tool's sessions pass the guard with graminsta.shard_guard = 'off'; the setting is per session", async () => {
      await client.query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (60, 'frozen', 'primary-1', 'r1')`);
      await client.query(`SET graminsta.shard_guard = 'off'`);
      try {
        await insertUser(idOn(60), 'tool_copy_user');
      } finally {
        await client.query('RESET graminsta.shard_guard');
      }
      expect(await errorOf(insertUser(idOn(60), 'api_user_60'))).toMatchObject({ code: '55G01' });
    });
  });
});
