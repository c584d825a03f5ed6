import type { Client } from 'pg';
import { LOGICAL_SHARDS } from '../../contracts/ids';
import { ident } from '../db-copy/session';
import { shardExpression, type ShardedTable } from './tables';
import { jsonArray, upsertSql } from './row-sql';

export interface CopyBatch {
  /** The last key copied, as text per key column: where a resumed copy continues. */
  readonly position: readonly string[];
  readonly rows: number;
}

/**
 * Rows of the primary key scanned per batch: about `batchRows` matching rows
 * when the moving shards' rows are spread evenly over the key (IDs lead with
 * their time, so every shard's rows interleave), at most 50 × batchRows.
 */
export function scanWindow(batchRows: number, shards: number): number {
  return batchRows * Math.min(50, Math.ceil(LOGICAL_SHARDS / Math.max(1, shards)));
}

/**
 * Copies one table's rows of `shards` from source to target, walking the
 * primary key in windows (after `after`, a resumed run's saved position):
 * each window is one index range scan of the key, so the whole copy reads
 * the table once whatever share of the shards moves. (A filter on the shard
 * with ORDER BY key LIMIT n makes PostgreSQL scan and sort the whole table
 * per batch when few shards move: measured, EXPLAIN showed Seq Scan + Sort.)
 * Each window's matching rows are one upsert in their own target
 * transaction, then `onBatch` saves the position; a kill between the two only
 * makes the next run copy that window again, which overwrites the same rows.
 * Rows changed after the run marked the shards 'copying' are also in
 * `shard_changes`, so whatever version of a row a batch saw, the catch-up
 * brings the target to the source's latest.
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
  const window = scanWindow(batchRows, shards.length);
  let position = after ? [...after] : undefined;
  let copied = 0;
  for (;;) {
    const from = position ? `WHERE (${keys}) > (${keyTypes.map((type, i) => `$${i + 2}::${type}`).join(', ')})` : '';
    const { rows } = await source.query<Record<string, string | null>>(
      `SELECT CASE WHEN ${shardExpression(table.shardColumn)} = ANY($1::int[]) THEN to_jsonb(t)::text END AS row, ${keyText}
         FROM ${ident(table.name)} t ${from} ORDER BY ${keys} LIMIT ${window}`,
      [shards, ...(position ?? [])],
    );
    if (rows.length === 0) break;
    const matching = rows.flatMap((r) => (r.row === null ? [] : [r.row]));
    if (matching.length > 0) await target.query(upsert, [jsonArray(matching)]);
    const last = rows[rows.length - 1];
    position = table.primaryKey.map((_, i) => last[`k${i}`] as string);
    copied += matching.length;
    await onBatch({ position, rows: matching.length });
    if (rows.length < window) break;
  }
  return copied;
}

/** Rows of `shards` in one table on one server. */
export async function countRows(client: Client, table: ShardedTable, shards: readonly number[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(table.name)} WHERE ${shardExpression(table.shardColumn)} = ANY($1::int[])`, [shards]);
  return Number(rows[0].n);
}
