import type { Client } from 'pg';
import { readDatabaseModel, STATE_SCHEMA, type DatabaseModel } from './catalog';
import { preDataStatements, postDataStatements } from './ddl';
import { CopyState } from './state';
import { copyTableRows, type BeforeCommit } from './copy-rows';
import { verifyTable, type TableCheck } from './verify';
import { connect, ident, qualified } from './session';
import type { Progress } from '../lib/progress';

export interface CopyDatabaseOptions {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** Rows per target transaction. @default 1000 */
  readonly batchSize?: number;
  readonly progress: Progress;
  /** Only compare the databases, copy nothing. @default false */
  readonly verifyOnly?: boolean;
  /**
   * First drop everything an earlier run created in the target (its user
   * schemas and the bookkeeping), then copy from scratch. Refused unless the
   * target holds db-copy's bookkeeping (a target db-copy did not fill is
   * never dropped). @default false
   */
  readonly replaceTarget?: boolean;
  readonly beforeCommit?: BeforeCommit;
}

export interface CopyDatabaseResult {
  readonly tables: readonly TableCheck[];
  readonly rowsCopied: number;
  /** Every table has equal row counts and checksums. */
  readonly ok: boolean;
}

async function targetTables(target: Client): Promise<string[]> {
  const { rows } = await target.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
      WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname NOT IN ('information_schema', '${STATE_SCHEMA}') ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

async function inTransaction(client: Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function createSchema(target: Client, state: CopyState, model: DatabaseModel, progress: Progress): Promise<void> {
  if ((await state.get('schema'))?.done) return;
  const existing = await targetTables(target);
  if (existing.length > 0) {
    throw new Error(`the target already has tables (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}) that no db-copy run created; copy into an empty database`);
  }
  // DDL is transactional in PostgreSQL: the schema appears whole, with its 'done' mark, or not at all.
  await inTransaction(target, async () => {
    for (const statement of preDataStatements(model)) await target.query(statement);
    await state.record('schema', { done: true });
  });
  progress.log(`schema: ${model.tables.length} tables, ${model.sequences.length} sequences, ${model.functions.length} functions created`);
}

async function copySequenceValues(source: Client, target: Client, model: DatabaseModel): Promise<void> {
  for (const sequence of model.sequences) {
    const name = qualified(sequence.schema, sequence.name);
    const { rows } = await source.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${name}`);
    await target.query('SELECT setval($1::regclass, $2::bigint, $3)', [name, rows[0].last_value, rows[0].is_called]);
  }
}

/** Drops what an earlier run created in the target; see `CopyDatabaseOptions.replaceTarget`. */
async function emptyTarget(target: Client, progress: Progress): Promise<void> {
  if (!(await new CopyState(target).exists())) {
    throw new Error('--replace-target: the target holds no db-copy bookkeeping, so db-copy did not fill it; nothing was dropped');
  }
  const tables = await targetTables(target);
  const { rows } = await target.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', '${STATE_SCHEMA}') ORDER BY 1`,
  );
  await inTransaction(target, async () => {
    for (const { nspname } of rows) await target.query(`DROP SCHEMA ${ident(nspname)} CASCADE`);
    await target.query('CREATE SCHEMA IF NOT EXISTS public');
    await target.query(`DROP SCHEMA ${STATE_SCHEMA} CASCADE`);
  });
  progress.log(`replace-target: dropped ${tables.length} tables in ${rows.length} schema(s) and the earlier copy's bookkeeping`);
}

/**
 * Copies one PostgreSQL database into another (schema, rows, sequence values,
 * then foreign keys, views and triggers) and verifies every table. Safe to
 * re-run after an interruption: it resumes from the target's bookkeeping and
 * never duplicates a row. Refuses a target holding tables it did not create.
 * Stop writers (the API) before copying: a row written to the source after its
 * batch was read is not copied, and verification reports the table as different.
 */
export async function copyDatabase(options: CopyDatabaseOptions): Promise<CopyDatabaseResult> {
  const { progress } = options;
  const source = await connect(options.sourceUrl);
  let target: Client | undefined;
  try {
    target = await connect(options.targetUrl);
    // One snapshot for the whole run: every table is read as of the same moment.
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const model = await readDatabaseModel(source);
    let rowsCopied = 0;
    if (!options.verifyOnly) {
      if (options.replaceTarget) await emptyTarget(target, progress);
      const state = new CopyState(target);
      if (!(await state.exists()) && (await targetTables(target)).length > 0) {
        throw new Error(`the target already has tables (${(await targetTables(target)).slice(0, 5).join(', ')}) that no db-copy run created; copy into an empty database`);
      }
      await state.ensure();
      await createSchema(target, state, model, progress);
      for (const table of model.tables) {
        const { rows } = await source.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(table.schema, table.name)}`);
        const already = (await state.get(`table:${table.schema}.${table.name}`))?.rowsCopied ?? 0;
        progress.start(`${table.schema}.${table.name}`, Number(rows[0].n));
        if (already > 0) progress.increment(Math.min(already, Number(rows[0].n)));
        rowsCopied += await copyTableRows(table, {
          source,
          target,
          state,
          batchSize: options.batchSize ?? 1000,
          onRows: (count) => progress.increment(count),
          beforeCommit: options.beforeCommit,
        });
        progress.stop();
      }
      await copySequenceValues(source, target, model);
      if (!(await state.get('post-data'))?.done) {
        await inTransaction(target, async () => {
          for (const statement of postDataStatements(model)) await target!.query(statement);
          await state.record('post-data', { done: true });
        });
      }
    }
    const tables: TableCheck[] = [];
    for (const table of model.tables) {
      const check = await verifyTable(source, target, table);
      tables.push(check);
      progress.log(`verify ${check.table}: ${check.ok ? 'ok' : 'MISMATCH'} (${check.sourceRows} → ${check.targetRows} rows, checksum ${check.sourceChecksum}${check.ok ? '' : ` → ${check.targetChecksum}`})`);
    }
    await source.query('COMMIT');
    const ok = tables.every((t) => t.ok);
    if (ok) await new CopyState(target).recordVerified(Object.fromEntries(tables.map((t) => [t.table, t.targetRows])));
    return { tables, rowsCopied, ok };
  } finally {
    await source.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
  }
}
