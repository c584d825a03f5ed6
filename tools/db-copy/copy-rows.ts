import type { Client } from 'pg';
import type { Table } from './catalog';
import type { CopyState } from './state';
import { ident, qualified } from './session';

/** Test hook: called after a batch is written on the target, before it commits. Throwing simulates a crash there. */
export type BeforeCommit = (table: string, batch: number) => void | Promise<void>;

export interface CopyRowsOptions {
  readonly source: Client;
  readonly target: Client;
  readonly state: CopyState;
  readonly batchSize: number;
  readonly onRows: (count: number) => void;
  readonly beforeCommit?: BeforeCommit;
}

// PostgreSQL takes at most 65535 parameters per statement.
const MAX_PARAMETERS = 65_000;

export function tableItem(table: Table): string {
  return `table:${table.schema}.${table.name}`;
}

function insertStatement(table: Table, rowCount: number): string {
  const columns = table.columns.filter((c) => !c.generatedExpr);
  const values: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    values.push(`(${columns.map((c, i) => `$${row * columns.length + i + 1}::${c.type}`).join(', ')})`);
  }
  const overriding = columns.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
  // ON CONFLICT DO NOTHING: rows a previous, interrupted run committed are skipped, never duplicated.
  return `INSERT INTO ${qualified(table.schema, table.name)} (${columns.map((c) => ident(c.name)).join(', ')})${overriding} VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`;
}

/**
 * Copies one table's rows in primary-key order, a batch per target
 * transaction that also records the last key copied. Values travel as text
 * (with the same session settings on both sides), which every PostgreSQL type
 * reads back exactly. Generated columns are left to the target to compute.
 */
export async function copyTableRows(table: Table, options: CopyRowsOptions): Promise<number> {
  const { source, target, state } = options;
  const item = tableItem(table);
  const previous = await state.get(item);
  if (previous?.done) return 0;
  const columns = table.columns.filter((c) => !c.generatedExpr);
  const batchSize = Math.max(1, Math.min(options.batchSize, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length))));
  // Aliased so that ORDER BY names the native columns, not these text outputs (text order differs: '9' > '50').
  const select = columns.map((c, i) => `${ident(c.name)}::text AS c${i}`).join(', ');
  const name = qualified(table.schema, table.name);

  if (table.primaryKey.length === 0) {
    // No key to resume from: the table is copied whole in one transaction.
    const { rows } = await source.query({ text: `SELECT ${select} FROM ${name}`, rowMode: 'array' });
    await target.query('BEGIN');
    try {
      await target.query(`DELETE FROM ${name}`);
      for (let start = 0; start < rows.length; start += batchSize) {
        const chunk = rows.slice(start, start + batchSize);
        await target.query(insertStatement(table, chunk.length), chunk.flat());
      }
      await state.record(item, { addRows: rows.length, done: true });
      await options.beforeCommit?.(item, 0);
      await target.query('COMMIT');
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    options.onRows(rows.length);
    return rows.length;
  }

  const keyTypes = table.primaryKey.map((key) => table.columns.find((c) => c.name === key)!.type);
  const keyList = table.primaryKey.map(ident).join(', ');
  const keyText = table.primaryKey.map((key, i) => `${ident(key)}::text AS k${i}`).join(', ');
  let lastKey = previous?.lastKey ?? null;
  let copied = 0;
  for (let batch = 0; ; batch++) {
    const after = lastKey ? `WHERE (${keyList}) > (${keyTypes.map((type, i) => `$${i + 1}::${type}`).join(', ')})` : '';
    const { rows } = await source.query({
      text: `SELECT ${select}, ${keyText} FROM ${name} ${after} ORDER BY ${keyList} LIMIT ${batchSize}`,
      values: lastKey ?? [],
      rowMode: 'array',
    });
    if (rows.length === 0) break;
    const values = rows.map((row: unknown[]) => row.slice(0, columns.length));
    const nextKey = (rows[rows.length - 1] as string[]).slice(columns.length);
    await target.query('BEGIN');
    try {
      const result = await target.query(insertStatement(table, values.length), values.flat());
      await state.record(item, { lastKey: nextKey, addRows: result.rowCount ?? 0 });
      await options.beforeCommit?.(item, batch);
      await target.query('COMMIT');
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    lastKey = nextKey;
    copied += rows.length;
    options.onRows(rows.length);
    if (rows.length < batchSize) break;
  }
  await state.record(item, { done: true });
  return copied;
}
