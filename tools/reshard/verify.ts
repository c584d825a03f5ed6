import type { Client } from 'pg';
import { ident } from '../db-copy/session';
import { shardExpression, type ShardedTable } from './tables';

export interface ShardCheck {
  readonly table: string;
  readonly shard: number;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly sourceChecksum: string;
  readonly targetChecksum: string;
}

type Measures = Map<number, { rows: number; checksum: string }>;

/**
 * Row count and an order-independent checksum per logical shard: the sum of
 * the first 64 bits of each row's md5 over every column (generated ones
 * included, named in the source's column order). Both sessions use the same
 * text settings (servers.ts), so equal rows give equal sums.
 */
async function measure(client: Client, table: ShardedTable, shards: readonly number[], keys?: string): Promise<Measures> {
  const row = `ROW(${table.allColumns.map(ident).join(', ')})::text`;
  const shard = shardExpression(table.shardColumn);
  const keyList = table.primaryKey.map(ident).join(', ');
  // With keys: only those rows (found by primary key), for the re-check inside the pause.
  const only = keys === undefined ? '' : `AND (${keyList}) IN (SELECT ${keyList} FROM jsonb_populate_recordset(NULL::${ident(table.name)}, $2::jsonb))`;
  const { rows } = await client.query<{ shard: string; rows: string; checksum: string }>(
    `SELECT ${shard} AS shard, count(*) AS rows, sum(('x' || left(md5(${row}), 16))::bit(64)::bigint::numeric)::text AS checksum
       FROM ${ident(table.name)} WHERE ${shard} = ANY($1::int[]) ${only} GROUP BY 1`,
    keys === undefined ? [shards] : [shards, keys],
  );
  return new Map(rows.map((r) => [Number(r.shard), { rows: Number(r.rows), checksum: r.checksum }]));
}

/**
 * Compares one table, shard by shard; returns the shards that differ (empty:
 * equal). `keys` (a JSON array of key objects) limits the comparison to
 * those rows: the pause re-checks only what changed since the full verify.
 */
export async function compareTable(source: Client, target: Client, table: ShardedTable, shards: readonly number[], keys?: string): Promise<ShardCheck[]> {
  if (shards.length === 0) return [];
  const [a, b] = await Promise.all([measure(source, table, shards, keys), measure(target, table, shards, keys)]);
  const differ: ShardCheck[] = [];
  for (const shard of shards) {
    const s = a.get(shard) ?? { rows: 0, checksum: '0' };
    const t = b.get(shard) ?? { rows: 0, checksum: '0' };
    if (s.rows !== t.rows || s.checksum !== t.checksum) {
      differ.push({ table: table.name, shard, sourceRows: s.rows, targetRows: t.rows, sourceChecksum: s.checksum, targetChecksum: t.checksum });
    }
  }
  return differ;
}

/** One line naming a difference, for the error and the log. */
export function describeDifference(check: ShardCheck): string {
  return `table ${check.table}, logical shard ${check.shard}: source ${check.sourceRows} rows (checksum ${check.sourceChecksum}), target ${check.targetRows} rows (checksum ${check.targetChecksum})`;
}
