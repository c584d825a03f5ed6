import { Client } from 'pg';
import { hashPassword } from '../../api/src/auth/passwords';
import { migrate } from '../../api/src/db/migrate';
import { copyRows } from './copy-rows';
import { BENCH_PASSWORD, DataSet, type DataSetOptions } from './data-set';

export interface SeedOptions extends DataSetOptions {
  /** Empty the tables first; without it a database that already has users is refused. @default false */
  readonly replace?: boolean;
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
  /** All rows over the whole run, index builds and ANALYZE included. */
  readonly rowsPerSecond: number;
  readonly dataSet: DataSet;
}

const SILENT: SeedProgress = { phase: () => undefined, rows: () => undefined, done: () => undefined };
const TABLES = ['users', 'photos', 'follows'] as const;

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Builds the benchmark data set in `url`'s database: runs the API's
 * migrations, then in ONE transaction drops the indexes and primary keys of
 * the seeded tables, COPYs users, photos and follows, and rebuilds the indexes
 * from their saved definitions (faster than maintaining them row by row). A
 * failure rolls everything back, indexes included. ANALYZE runs after commit.
 */
export async function seedDatabase(url: string, options: SeedOptions, progress: SeedProgress = SILENT): Promise<SeedReport> {
  const started = performance.now();
  const planStarted = performance.now();
  const data = new DataSet(options); // validates the sizes before anything is touched
  const passwordHash = await hashPassword(BENCH_PASSWORD, 'production');
  const planSeconds = seconds(planStarted);

  await migrate(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  const tables: TableLoad[] = [];
  let indexSeconds = 0;
  try {
    const existing = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0].n);
    if (existing > 0 && !options.replace) {
      throw new Error(`the database already has ${existing} users: pass --replace to empty users, photos, follows, likes and sessions first`);
    }
    await client.query('BEGIN');
    try {
      await client.query("SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '256MB'");
      if (options.replace) await client.query('TRUNCATE users, photos, follows, likes, sessions');
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

      const loads: Array<[string, readonly string[], number, Iterable<string>]> = [
        ['users', ['id', 'username', 'password_hash', 'photo_count', 'created_at'], data.users, data.userRows(passwordHash)],
        ['photos', ['id', 'user_id', 'caption', 'content_type', 'size', 'status', 'like_count', 'created_at'], data.photos, data.photoRows()],
        ['follows', ['follower_id', 'followee_id', 'created_at'], data.follows, data.followRows()],
      ];
      for (const [table, columns, count, rows] of loads) {
        const tableStarted = performance.now();
        progress.phase(`COPY ${table}`, count);
        await copyRows(client, table, columns, rows, (n) => progress.rows(n));
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
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    progress.phase('ANALYZE', 1);
    await client.query(`ANALYZE ${TABLES.join(', ')}`);
    progress.rows(1);
  } finally {
    progress.done();
    await client.end();
  }
  const totalRows = tables.reduce((sum, t) => sum + t.rows, 0);
  const totalSeconds = seconds(started);
  return { tables, planSeconds, indexSeconds, totalRows, totalSeconds, rowsPerSecond: totalRows / totalSeconds, dataSet: data };
}
