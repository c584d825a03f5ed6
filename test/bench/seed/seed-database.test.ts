import { Client } from 'pg';
import { BENCH_PASSWORD, DataSet } from '../../../bench/seed/data-set';
import { type SeedOptions, seedDatabase } from '../../../bench/seed/seed-database';
import { hashPassword } from '../../../api/src/auth/passwords';
import { evenLayout, ownedBy } from '../../../bench/seed/shard-layout';
import { startPostgres, type TestPostgres } from '../../support/postgres';

describe('seedDatabase (real PostgreSQL, small size)', () => {
  let pg: TestPostgres;
  let db: Client;
  // Test-cost scrypt: the production hash costs a second per seed and proves nothing more here.
  let passwordHash: string;
  const seed = (url: string, options: SeedOptions) => seedDatabase(url, { ...options, passwordHash });
  beforeAll(async () => {
    passwordHash = await hashPassword(BENCH_PASSWORD, 'test');
    pg = await startPostgres();
    db = new Client({ connectionString: pg.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await pg?.stop();
  });
  const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const indexNames = async () =>
    (await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename IN ('users','photos','following','followers','feed_entries') ORDER BY 1")).rows.map((r) => r.indexname);

  test('migrates, loads every row with COPY and restores every index and primary key', async () => {
    const report = await seed(pg.url, { users: 300, photos: 3000, follows: 6000, readerFollows: 200 });
    expect([await count('users'), await count('photos'), await count('following'), await count('followers')]).toEqual([300, 3000, 6000, 6000]);
    const entries = await count('feed_entries');
    expect(entries).toBe(new DataSet({ users: 300, photos: 3000, follows: 6000, readerFollows: 200 }).rowCounts().feed_entries);
    expect(report.totalRows).toBe(15300 + entries);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
    expect(await indexNames()).toEqual(
      expect.arrayContaining(['users_pkey', 'users_username_key', 'photos_pkey', 'photos_user_id_idx', 'following_pkey', 'followers_pkey', 'feed_entries_pkey', 'feed_entries_photo_idx']),
    );
    // The counters the profile reads agree with the edges.
    const { rows: wrong } = await db.query(
      `SELECT u.id FROM users u WHERE u.follower_count <> (SELECT count(*) FROM followers f WHERE f.followee_id = u.id)
          OR u.following_count <> (SELECT count(*) FROM following f WHERE f.follower_id = u.id)`,
    );
    expect(wrong).toEqual([]);
    // The shard guard, off during the load, is on again.
    const { rows: guards } = await db.query("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE '%shard_guard' AND tgrelid = ANY('{users,photos,following,followers,feed_entries}'::regclass[])");
    expect(guards).toHaveLength(5);
    for (const g of guards) expect(g.tgenabled).toBe('O');
    // The reader's feed has photos to show: most followed accounts have posted.
    const feed = await db.query("SELECT count(*) AS n FROM following f JOIN photos p ON p.user_id = f.followee_id JOIN users u ON u.id = f.follower_id WHERE u.username = 'bench_reader'");
    expect(Number(feed.rows[0].n)).toBeGreaterThan(200);
  });

  test('refuses a database that already has users and changes nothing', async () => {
    const before = await indexNames();
    await expect(seed(pg.url, { users: 50, photos: 10, follows: 300, readerFollows: 10 })).rejects.toThrow(/already has 300 users: pass --replace/);
    expect(await count('users')).toBe(300);
    expect(await indexNames()).toEqual(before);
  });

  test('with replace, a failed load rolls back: old rows and indexes stay', async () => {
    const before = await indexNames();
    // A duplicate username cannot happen with generated names; break the load with a row the CHECK refuses instead.
    await db.query("ALTER TABLE photos ADD CONSTRAINT bench_test_no_png CHECK (content_type <> 'image/png') NOT VALID");
    try {
      await expect(seed(pg.url, { users: 50, photos: 100, follows: 300, readerFollows: 10, replace: true })).rejects.toThrow(/bench_test_no_png/);
    } finally {
      await db.query('ALTER TABLE photos DROP CONSTRAINT bench_test_no_png');
    }
    expect([await count('users'), await count('photos'), await count('following')]).toEqual([300, 3000, 6000]);
    expect(await indexNames()).toEqual(before);
  });

  test('with replace, the tables are emptied and loaded again', async () => {
    await seed(pg.url, { users: 40, photos: 80, follows: 200, readerFollows: 10, replace: true });
    expect([await count('users'), await count('photos'), await count('following')]).toEqual([40, 80, 200]);
  });

  test('a database where a shard move ran is refused, nothing changed', async () => {
    const url = await pg.createDatabase();
    await seed(url, { users: 40, photos: 80, follows: 200, readerFollows: 10 });
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("INSERT INTO shard_moves (shard, state, peer, run_id) VALUES (7, 'moved', 'primary-1', 'r1')");
      await expect(seed(url, { users: 50, photos: 10, follows: 300, readerFollows: 10, replace: true })).rejects.toThrow(/1 shard_moves rows/);
      expect(Number((await other.query('SELECT count(*) AS n FROM users')).rows[0].n)).toBe(40);
    } finally {
      await other.end();
    }
  });

  test('two servers of a layout each get only the rows they own, and together the whole data set', async () => {
    const sizes = { users: 400, photos: 2000, follows: 5000, readerFollows: 100 };
    const dataSet = new DataSet(sizes);
    const layout = evenLayout(2);
    const urls = [await pg.createDatabase(), await pg.createDatabase()];
    const reports = [];
    for (let i = 0; i < 2; i++) reports.push(await seed(urls[i], { ...sizes, dataSet, shards: ownedBy(layout[i]) }));
    const totals: Record<string, number> = { users: 0, photos: 0, following: 0, followers: 0, feed_entries: 0 };
    for (let i = 0; i < 2; i++) {
      const server = new Client({ connectionString: urls[i] });
      await server.connect();
      try {
        // Every row's home shard (docs/sharding.md) is in this server's range.
        const { rows } = await server.query<{ table: string; n: string; misplaced: string }>(
          `SELECT 'users' AS table, count(*) AS n, count(*) FILTER (WHERE ((id >> 10) & 4095) NOT BETWEEN $1 AND $2) AS misplaced FROM users
           UNION ALL SELECT 'photos', count(*), count(*) FILTER (WHERE ((id >> 10) & 4095) NOT BETWEEN $1 AND $2) FROM photos
           UNION ALL SELECT 'following', count(*), count(*) FILTER (WHERE ((follower_id >> 10) & 4095) NOT BETWEEN $1 AND $2) FROM following
           UNION ALL SELECT 'followers', count(*), count(*) FILTER (WHERE ((followee_id >> 10) & 4095) NOT BETWEEN $1 AND $2) FROM followers
           UNION ALL SELECT 'feed_entries', count(*), count(*) FILTER (WHERE ((user_id >> 10) & 4095) NOT BETWEEN $1 AND $2) FROM feed_entries`,
          [layout[i].first, layout[i].last],
        );
        for (const row of rows) {
          expect([row.table, Number(row.misplaced)]).toEqual([row.table, 0]);
          totals[row.table] += Number(row.n);
          expect(reports[i].tables.find((t) => t.table === row.table)!.rows).toBe(Number(row.n));
        }
        // Each user's counters match the edges stored on its own server.
        const { rows: wrong } = await server.query(
          `SELECT u.id FROM users u WHERE u.follower_count <> (SELECT count(*) FROM followers f WHERE f.followee_id = u.id)
              OR u.following_count <> (SELECT count(*) FROM following f WHERE f.follower_id = u.id)`,
        );
        expect(wrong).toEqual([]);
      } finally {
        await server.end();
      }
    }
    expect(totals).toEqual({ users: 400, photos: 2000, following: 5000, followers: 5000, feed_entries: dataSet.rowCounts().feed_entries });
    expect(totals.feed_entries).toBeGreaterThan(0);
    expect(reports.every((r) => r.tables.find((t) => t.table === 'users')!.rows > 100)).toBe(true);
  });
});
