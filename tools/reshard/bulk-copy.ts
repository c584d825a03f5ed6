import type { Client } from 'pg';
import { ident } from '../db-copy/session';
import { shardExpression, type ShardedTable } from './tables';
import { jsonArray, upsertSql } from './row-sql';

export interface CopyBatch {
  /** The last key copied, as text per key column: where a resumed copy continues. */
  readonly position: readonly string[];
  readonly rows: number;
}

/**
 * Copies one table's rows of `shards` from source to target in keyset
 * batches, starting after `after` (a resumed run's saved position). Each batch
 * is an upsert in its own target transaction, then `onBatch` saves the
 * position; a kill between the two only makes the next run copy that batch
 * again, which overwrites the same rows. Rows changed after the run marked
 * the shards 'copying' are also in `shard_changes`, so whatever version of a
 * row a batch saw, the catch-up brings the target to the source's latest.
 */
export async function copyTableRows(
  source: Client,
  target: Client,
  table: ShardedTable,
  shards: readonly number[],
  after: readonly string[] | undefined,
  batchRows: number,
  onBatch: (batch: CopyBatch) => Promise<void>,
): Promise<number> {
  const keys = table.primaryKey.map(ident).join(', ');
  const keyTypes = table.primaryKey.map((key) => table.columns.find((c) => c.name === key)?.type ?? 'text');
  const keyText = table.primaryKey.map((key, i) => `${ident(key)}::text AS k${i}`).join(', ');
  const upsert = upsertSql(table);
  let position = after ? [...after] : undefined;
  let copied = 0;
  for (;;) {
    const from = position ? `AND (${keys}) > (${keyTypes.map((type, i) => `$${i + 2}::${type}`).join(', ')})` : '';
    const { rows } = await source.query<Record<string, string>>(
      `SELECT to_jsonb(t)::text AS row, ${keyText} FROM ${ident(table.name)} t
        WHERE ${shardExpression(table.shardColumn)} = ANY($1::int[]) ${from} ORDER BY ${keys} LIMIT ${batchRows}`,
      [shards, ...(position ?? [])],
    );
    if (rows.length === 0) break;
    await target.query(upsert, [jsonArray(rows.map((r) => r.row))]);
    const last = rows[rows.length - 1];
    position = table.primaryKey.map((_, i) => last[`k${i}`]);
    copied += rows.length;
    await onBatch({ position, rows: rows.length });
    if (rows.length < batchRows) break;
  }
  return copied;
}

/** Rows of `shards` in one table on one server. */
export async function countRows(client: Client, table: ShardedTable, shards: readonly number[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(table.name)} WHERE ${shardExpression(table.shardColumn)} = ANY($1::int[])`, [shards]);
  return Number(rows[0].n);
}
