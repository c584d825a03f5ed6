import type { Client } from 'pg';
import type { ShardedTable } from './tables';
import { deleteByKeysSql, jsonArray, selectByKeysSql, upsertSql } from './row-sql';
import { inTransaction } from './fence';

export interface CatchUpPass {
  /** Change records consumed. */
  readonly applied: number;
  /** Logical shards whose rows this pass rewrote on the target. */
  readonly shards: ReadonlySet<number>;
  /** The keys (JSON objects) this pass rewrote, per table. */
  readonly keys: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * One catch-up pass: takes up to `limit` change records of `shards` from the
 * source's `shard_changes` (oldest first), copies each named row's CURRENT
 * state from the source to the target (deleting it there when the source no
 * longer has it), then deletes exactly those records on the source.
 *
 * Records are consumed by deletion, not by a high-water mark: a writer may
 * take sequence number 10, another 11 and commit first; a mark at 11 would
 * skip 10 forever, while 10's row simply waits for the next pass. Re-applying
 * a record (killed before the delete) copies the same current row again.
 */
export async function catchUpPass(source: Client, target: Client, tables: ReadonlyMap<string, ShardedTable>, shards: readonly number[], limit: number): Promise<CatchUpPass> {
  const { rows } = await source.query<{ seq: string; shard: number; table_name: string; key: string }>(
    `SELECT seq, shard, table_name, key::text AS key FROM shard_changes WHERE shard = ANY($1::smallint[]) ORDER BY seq LIMIT ${limit}`,
    [shards],
  );
  if (rows.length === 0) return { applied: 0, shards: new Set(), keys: new Map() };
  const byTable = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!tables.has(row.table_name)) throw new Error(`shard_changes names table "${row.table_name}", which carries no shard guard`);
    const keys = byTable.get(row.table_name) ?? new Set<string>();
    keys.add(row.key);
    byTable.set(row.table_name, keys);
  }
  const current = new Map<string, string[]>();
  for (const [name, keys] of byTable) {
    const table = tables.get(name)!;
    current.set(name, (await source.query<{ row: string }>(selectByKeysSql(table), [jsonArray([...keys])])).rows.map((r) => r.row));
  }
  await inTransaction(target, async () => {
    for (const [name, keys] of byTable) {
      const table = tables.get(name)!;
      await target.query(deleteByKeysSql(table), [jsonArray([...keys])]);
      const latest = current.get(name)!;
      if (latest.length > 0) await target.query(upsertSql(table), [jsonArray(latest)]);
    }
  });
  await source.query(`DELETE FROM shard_changes WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
  return { applied: rows.length, shards: new Set(rows.map((r) => Number(r.shard))), keys: byTable };
}

/** Change records of `shards` not yet applied: the catch-up lag. */
export async function pendingChanges(source: Client, shards: readonly number[]): Promise<number> {
  const { rows } = await source.query<{ n: string }>(`SELECT count(*) AS n FROM shard_changes WHERE shard = ANY($1::smallint[])`, [shards]);
  return Number(rows[0].n);
}
