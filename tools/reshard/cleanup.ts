import type { Client } from 'pg';
import { ident } from '../db-copy/session';
import { shardExpression, type ShardedTable } from './tables';

export interface DeleteWindow {
  readonly deleted: number;
  /** The last key scanned, where the next window starts; undefined when the table is done. */
  readonly next: readonly string[] | undefined;
}

/**
 * Deletes the rows of `shards` in one window of the primary key on the source
 * (after the flip, when they live on the target), starting after `after`.
 * Walking the key keeps each statement an index range scan and each
 * transaction short while the API serves the source's other shards; a
 * "delete the first n matching rows" loop would rescan the dead rows of
 * earlier batches every time.
 */
export async function deleteWindow(source: Client, table: ShardedTable, shards: readonly number[], after: readonly string[] | undefined, window: number): Promise<DeleteWindow> {
  const name = ident(table.name);
  const keys = table.primaryKey.map(ident);
  const keyTypes = table.primaryKey.map((key) => table.columns.find((c) => c.name === key)?.type ?? 'text');
  const from = after ? `WHERE (${keys.join(', ')}) > (${keyTypes.map((type, i) => `$${i + 2}::${type}`).join(', ')})` : '';
  const { rows } = await source.query<{ deleted: string; scanned: string; last: string[] | null }>(
    `WITH chunk AS (SELECT ${keys.map((k, i) => `${k} AS c${i}`).join(', ')} FROM ${name} ${from} ORDER BY ${keys.join(', ')} LIMIT ${window}),
          gone AS (DELETE FROM ${name} t USING chunk WHERE (${keys.map((k) => `t.${k}`).join(', ')}) = (${keys.map((_, i) => `chunk.c${i}`).join(', ')})
                     AND ${shardExpression(table.shardColumn, 't')} = ANY($1::int[]) RETURNING 1)
     SELECT (SELECT count(*) FROM gone) AS deleted, (SELECT count(*) FROM chunk) AS scanned,
            (SELECT ARRAY[${keys.map((_, i) => `c${i}::text`).join(', ')}] FROM chunk ORDER BY ${keys.map((_, i) => `c${i} DESC`).join(', ')} LIMIT 1) AS last`,
    [shards, ...(after ?? [])],
  );
  const { deleted, scanned, last } = rows[0];
  return { deleted: Number(deleted), next: Number(scanned) < window || !last ? undefined : last };
}
