import { Client } from 'pg';
import { hashPassword } from '../../api/src/auth/passwords';
import { migrate } from '../../api/src/db/migrate';
import { copyRows } from './copy-rows';
import { ALL_SHARDS, BENCH_PASSWORD, DEFAULT_CELEBRITY_FOLLOWERS, DataSet, type DataSetOptions, type SeededTable, type ShardFilter } from './data-set';

export interface SeedOptions extends DataSetOptions {
  /** Empty the tables first; without it a database that already has users is refused. @default false */
  readonly replace?: boolean;
  /**
   * The logical shards this server owns: only rows whose home shard passes are
   * loaded (one server of a shard layout). @default every shard (one server holds all)
   */
  readonly shards?: ShardFilter;
  /** FEED_CELEBRITY_FOLLOWERS of the API that reads the seeded feed entries. @default 10000 (the API's default) */
  readonly celebrityFollowers?: number;
  /** The users' password hash (BENCH_PASSWORD's), when already computed. @default hashed here at production cost */
  readonly passwordHash?: string;
  /** A data set already planned (the same rows for every server of a layout); must match the sizes. */
  readonly dataSet?: DataSet;
}

/** Progress callbacks (the CLI draws a bar; tests pass nothing). */
export interface SeedProgress {
  phase(name: string, totalRows: number): void;
  rows(n: number): void;
  done(): void;
}

export interface TableLoad {
  readonly table: string;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

export interface SeedReport {
  readonly tables: readonly TableLoad[];
  readonly planSeconds: number;
  readonly indexSeconds: number;
  readonly totalRows: number;
  readonly totalSeconds: number;
  /** All rows over the whole run, index builds and VACUUM ANALYZE included. */
  readonly rowsPerSecond: number;
  readonly dataSet: DataSet;
}

const SILENT: SeedProgress = { phase: () => undefined, rows: () => undefined, done: () => undefined };
const TABLES: readonly SeededTable[] = ['users', 'photos', 'following', 'followers', 'feed_entries'];
/** Emptied by --replace besides TABLES, when they exist (rows that point at seeded users). */
const DEPENDENT_TABLES = ['likes', 'sessions', 'jobs', 'jobs_dead'];

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Builds the benchmark data set in `url`'s database: runs the API's
 * migrations, then in ONE transaction drops the indexes and primary keys of
 * the seeded tables, COPYs users (with their counters), photos, both
 * sides of the follow edges (`following`, `followers`) and the reader's
 * precomputed feed (`feed_entries`), and rebuilds the indexes
 * from their saved definitions (faster than maintaining them row by row). A
 * failure rolls everything back, indexes included. VACUUM ANALYZE runs after
 * commit: it sets hint bits and the visibility map now, so neither the first
 * reads nor an insert-triggered autovacuum do that work (and take CPU)
 * during a measurement.
 */
export async function seedDatabase(url: string, options: SeedOptions, progress: SeedProgress = SILENT): Promise<SeedReport> {
  const started = performance.now();
  const planStarted = performance.now();
  const data = options.dataSet ?? new DataSet(options); // validates the sizes before anything is touched
  if (data.users !== options.users || data.photos !== options.photos || data.follows !== options.follows) {
    throw new Error(`the given data set has ${data.users} users, ${data.photos} photos, ${data.follows} follows, not the sizes asked for`);
  }
  const keep = options.shards ?? ALL_SHARDS;
  const celebrityFollowers = options.celebrityFollowers ?? DEFAULT_CELEBRITY_FOLLOWERS;
  const counts = data.rowCounts(keep, celebrityFollowers);
  const passwordHash = options.passwordHash ?? (await hashPassword(BENCH_PASSWORD, 'production'));
  const planSeconds = seconds(planStarted);

  await migrate(url);
  const client = new Client({ connectionString: url });
  // A server that goes away (an interrupted run stops it mid-COPY) fails the query in progress;
  // without a listener the connection's 'error' event would also crash the process before the
  // run's signal handler has stopped what it started.
  client.on('error', () => undefined);
  await client.connect();
  const tables: TableLoad[] = [];
  let indexSeconds = 0;
  try {
    const existing = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0].n);
    if (existing > 0 && !options.replace) {
      throw new Error(`the database already has ${existing} users: pass --replace to empty users, photos, following, followers, feed_entries, likes, sessions and jobs first`);
    }
    // Rows loaded behind the resharding fence's back would be missed by a move in progress.
    const moves = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM shard_moves')).rows[0].n);
    if (moves > 0) throw new Error(`the database has ${moves} shard_moves rows (a shard move ran here): seed a fresh database instead`);
    await client.query('BEGIN');
    try {
      await client.query("SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '256MB'");
      if (options.replace) {
        const { rows: present } = await client.query<{ name: string }>('SELECT unnest($1::text[]) AS name INTERSECT SELECT tablename FROM pg_tables WHERE schemaname = current_schema()', [DEPENDENT_TABLES]);
        await client.query(`TRUNCATE ${[...TABLES, ...present.map((t) => t.name)].join(', ')}`);
      }
      // The shard guard trigger (migration 2) costs a lookup per row and has nothing to do on a
      // server with no shard_moves rows (checked above): off for the load, on again before COMMIT.
      const { rows: guards } = await client.query<{ table: string; name: string }>(
        `SELECT t.tgrelid::regclass::text AS table, t.tgname AS name FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND p.proname = 'graminsta_shard_guard' AND t.tgrelid = ANY($1::regclass[])`,
        [TABLES],
      );
      for (const guard of guards) await client.query(`ALTER TABLE ${guard.table} DISABLE TRIGGER "${guard.name}"`);
      const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
        `SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
        [TABLES],
      );
      for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
      // Primary keys too (COPY in random key order into a B-tree is the slow part), unless a foreign key needs one.
      const { rows: keys } = await client.query<{ table: string; name: string; definition: string }>(
        `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c
         WHERE c.contype = 'p' AND c.conrelid = ANY($1::regclass[])
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)`,
        [TABLES],
      );
      for (const key of keys) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);

      const loads: Array<[SeededTable, readonly string[], Iterable<string>]> = [
        ['users', ['id', 'username', 'password_hash', 'photo_count', 'follower_count', 'following_count', 'created_at'], data.userRows(passwordHash, keep)],
        ['photos', ['id', 'user_id', 'caption', 'content_type', 'size', 'status', 'like_count', 'created_at'], data.photoRows(keep)],
        ['following', ['follower_id', 'followee_id', 'created_at'], data.followingRows(keep)],
        ['followers', ['followee_id', 'follower_id', 'created_at'], data.followerRows(keep)],
        ['feed_entries', ['user_id', 'photo_id', 'author_id', 'created_at'], data.feedEntryRows(keep, celebrityFollowers)],
      ];
      for (const [table, columns, rows] of loads) {
        const count = counts[table];
        const tableStarted = performance.now();
        progress.phase(`COPY ${table}`, count);
        let copied = 0;
        await copyRows(client, table, columns, rows, (n) => {
          copied += n;
          progress.rows(n);
        });
        if (copied !== count) throw new Error(`${table}: planned ${count} rows for this server, copied ${copied}`);
        const s = seconds(tableStarted);
        tables.push({ table, rows: count, seconds: s, rowsPerSecond: count / s });
      }

      const indexStarted = performance.now();
      progress.phase('rebuild indexes', keys.length + indexes.length);
      // Re-adding a primary key also proves the generated keys are unique.
      for (const key of keys) {
        await client.query(`ALTER TABLE ${key.table} ADD CONSTRAINT "${key.name}" ${key.definition}`);
        progress.rows(1);
      }
      for (const index of indexes) {
        await client.query(index.indexdef);
        progress.rows(1);
      }
      indexSeconds = seconds(indexStarted);
      for (const guard of guards) await client.query(`ALTER TABLE ${guard.table} ENABLE TRIGGER "${guard.name}"`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    progress.phase('VACUUM ANALYZE', 1);
    await client.query(`VACUUM (ANALYZE) ${TABLES.join(', ')}`);
    progress.rows(1);
  } finally {
    progress.done();
    await client.end();
  }
  const totalRows = tables.reduce((sum, t) => sum + t.rows, 0);
  const totalSeconds = seconds(started);
  return { tables, planSeconds, indexSeconds, totalRows, totalSeconds, rowsPerSecond: totalRows / totalSeconds, dataSet: data };
}
