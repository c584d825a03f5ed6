import type { Client } from 'pg';
import { LOGICAL_SHARDS, SEQUENCE_BITS } from '../../contracts/ids';
import { ident } from '../db-copy/session';

/** A table whose rows each live on one logical shard, as the guard trigger declares it. */
export interface ShardedTable {
  readonly name: string;
  /** The ID column whose bits 10..21 give the row's home shard. */
  readonly shardColumn: string;
  readonly primaryKey: readonly string[];
  /** Columns the tool writes (generated ones are recomputed by the target). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Every column, generated ones included (the checksum covers them). */
  readonly allColumns: readonly string[];
}

/**
 * Tables that are not sharded (docs/sharding.md): the first primary's queue and
 * counters, and each server's own bookkeeping. They never move.
 */
export const UNSHARDED_TABLES = new Set(['schema_migrations', 'rate_limits', 'jobs', 'jobs_dead', 'shard_moves', 'shard_changes', 'reshard_runs']);

/** `((col >> 10) & 4095)`: the logical shard of an ID (contracts/ids.ts). */
export function shardExpression(column: string, alias?: string): string {
  return `((${alias ? `${alias}.` : ''}${ident(column)} >> ${SEQUENCE_BITS}) & ${LOGICAL_SHARDS - 1})`;
}

/**
 * Reads the sharded tables from the catalog: every table carrying the
 * `graminsta_shard_guard(<shard column>, <pk columns>...)` trigger. So a new
 * sharded table needs no change here, only its trigger. A table that is
 * neither guarded nor known to be unsharded is an error: the tool will not
 * move shards while it cannot say where such a table's rows belong.
 */
export async function readShardedTables(client: Client, serverName: string): Promise<ShardedTable[]> {
  const guarded = (
    await client.query<{ table: string; args: Buffer }>(`
      SELECT c.relname AS table, t.tgargs AS args
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE p.proname = 'graminsta_shard_guard' AND NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
       ORDER BY c.relname`)
  ).rows;
  if (guarded.length === 0) throw new Error(`${serverName} has no shard guard triggers: it is not migrated to schema version 2 or later (start this version of the API once, it migrates every primary)`);
  const all = (await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)).rows.map((r) => r.name);
  const guardedNames = new Set(guarded.map((g) => g.table));
  const unknown = all.filter((name) => !guardedNames.has(name) && !UNSHARDED_TABLES.has(name));
  if (unknown.length > 0) throw new Error(`${serverName}: table(s) ${unknown.join(', ')} have no shard guard trigger and are not known to be unsharded; refusing to move shards`);
  const tables: ShardedTable[] = [];
  for (const { table, args } of guarded) {
    const [shardColumn, ...primaryKey] = args.toString('utf8').split('\0').filter((a) => a.length > 0);
    const columns = (
      await client.query<{ name: string; type: string; generated: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated AS generated
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [ident(table)],
      )
    ).rows;
    const names = columns.map((c) => c.name);
    for (const column of [shardColumn, ...primaryKey]) {
      if (!names.includes(column)) throw new Error(`${serverName}: the shard guard on ${table} names a column "${column}" the table does not have`);
    }
    if (primaryKey.length === 0) throw new Error(`${serverName}: the shard guard on ${table} names no key columns`);
    tables.push({
      name: table,
      shardColumn,
      primaryKey,
      columns: columns.filter((c) => c.generated === '').map(({ name, type }) => ({ name, type })),
      allColumns: names,
    });
  }
  return tables;
}
