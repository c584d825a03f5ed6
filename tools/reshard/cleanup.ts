import type { Client } from 'pg';
import { ident } from '../db-copy/session';
import { shardExpression, type ShardedTable } from './tables';

/**
 * Deletes one batch of a table's rows of `shards` on the source (after the
 * flip, when they live on the target). Small batches keep each transaction
 * and its locks short while the API serves the source's other shards.
 * Returns the rows deleted (0: none left).
 */
export async function deleteBatch(source: Client, table: ShardedTable, shards: readonly number[], batchRows: number): Promise<number> {
  const name = ident(table.name);
  const result = await source.query(
    `DELETE FROM ${name} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${name} WHERE ${shardExpression(table.shardColumn)} = ANY($1::int[]) LIMIT ${batchRows}))`,
    [shards],
  );
  return result.rowCount ?? 0;
}
