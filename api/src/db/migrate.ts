import { Client, type ClientConfig } from 'pg';
import { MIGRATIONS, type Migration } from './migrations';

/** Arbitrary but fixed: every API process contends for this one advisory lock. */
const MIGRATION_LOCK_KEY = 7_164_092_301;

export interface MigrationResult {
  /** Versions this call applied (empty when another process had already done it). */
  readonly applied: readonly number[];
  /** The schema version after the call. */
  readonly version: number;
}

/**
 * Applies pending migrations to one database. Safe when several instances
 * start at once: they queue on a session advisory lock, and each re-reads the
 * applied versions after acquiring it, so every migration runs exactly once.
 * Each migration and its bookkeeping row commit together.
 */
export async function migrate(connection: string | ClientConfig, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const client = new Client(typeof connection === 'string' ? { connectionString: connection } : connection);
  // A disconnect mid-migration fails the query in flight; without a listener the
  // same event would also be an unhandled 'error' that ends the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
        applied.push(migration.version);
        done.add(migration.version);
      }
      return { applied, version: Math.max(0, ...done) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
