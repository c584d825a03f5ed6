import { Client } from 'pg';
import { seedDatabase } from '../../../bench/seed/seed-database';
import { startPostgres, type TestPostgres } from '../../support/postgres';

describe('seedDatabase (real PostgreSQL, small size)', () => {
  let pg: TestPostgres;
  let db: Client;
  beforeAll(async () => {
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
    (await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename IN ('users','photos','follows') ORDER BY 1")).rows.map((r) => r.indexname);

  test('migrates, loads every row with COPY and restores every index and primary key', async () => {
    const report = await seedDatabase(pg.url, { users: 300, photos: 3000, follows: 6000, readerFollows: 200 });
    expect([await count('users'), await count('photos'), await count('follows')]).toEqual([300, 3000, 6000]);
    expect(report.totalRows).toBe(9300);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
    expect(await indexNames()).toEqual(
      expect.arrayContaining(['users_pkey', 'users_username_key', 'photos_pkey', 'photos_user_id_idx', 'follows_pkey', 'follows_followee_idx']),
    );
    // The reader's feed has photos to show: most followed accounts have posted.
    const feed = await db.query("SELECT count(*) AS n FROM follows f JOIN photos p ON p.user_id = f.followee_id JOIN users u ON u.id = f.follower_id WHERE u.username = 'bench_reader'");
    expect(Number(feed.rows[0].n)).toBeGreaterThan(200);
  });

  test('refuses a database that already has users and changes nothing', async () => {
    const before = await indexNames();
    await expect(seedDatabase(pg.url, { users: 50, photos: 10, follows: 300, readerFollows: 10 })).rejects.toThrow(/already has 300 users: pass --replace/);
    expect(await count('users')).toBe(300);
    expect(await indexNames()).toEqual(before);
  });

  test('with replace, a failed load rolls back: old rows and indexes stay', async () => {
    const before = await indexNames();
    // A duplicate username cannot happen with generated names; break the load with a row the CHECK refuses instead.
    await db.query("ALTER TABLE photos ADD CONSTRAINT bench_test_no_png CHECK (content_type <> 'image/png') NOT VALID");
    try {
      await expect(seedDatabase(pg.url, { users: 50, photos: 100, follows: 300, readerFollows: 10, replace: true })).rejects.toThrow(/bench_test_no_png/);
    } finally {
      await db.query('ALTER TABLE photos DROP CONSTRAINT bench_test_no_png');
    }
    expect([await count('users'), await count('photos'), await count('follows')]).toEqual([300, 3000, 6000]);
    expect(await indexNames()).toEqual(before);
  });

  test('with replace, the tables are emptied and loaded again', async () => {
    await seedDatabase(pg.url, { users: 40, photos: 80, follows: 200, readerFollows: 10, replace: true });
    expect([await count('users'), await count('photos'), await count('follows')]).toEqual([40, 80, 200]);
  });
});
