import { ident } from '../db-copy/session';
import type { ShardedTable } from './tables';

/**
 * SQL shared by the bulk copy and the catch-up. Rows travel as JSON text
 * (`to_jsonb(row)` on the source, `jsonb_populate_recordset` on the target):
 * the tool never parses them, so a bigint ID or a timestamp's microseconds
 * reach the target exactly as they left the source.
 */

const keyList = (table: ShardedTable) => table.primaryKey.map(ident).join(', ');

/** Inserts rows given as one JSON array ($1); a row already there is overwritten (re-running a batch is harmless). */
export function upsertSql(table: ShardedTable): string {
  const columns = table.columns.map((c) => ident(c.name)).join(', ');
  const others = table.columns.filter((c) => !table.primaryKey.includes(c.name));
  const onConflict = others.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${others.map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ')}`;
  return `INSERT INTO ${ident(table.name)} (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${ident(table.name)}, $1::jsonb) ON CONFLICT (${keyList(table)}) ${onConflict}`;
}

/** Deletes the rows whose keys are given as one JSON array of key objects ($1). */
export function deleteByKeysSql(table: ShardedTable): string {
  return `DELETE FROM ${ident(table.name)} WHERE (${keyList(table)}) IN (SELECT ${keyList(table)} FROM jsonb_populate_recordset(NULL::${ident(table.name)}, $1::jsonb))`;
}

/** Reads the current rows (as JSON text) for keys given as one JSON array of key objects ($1). */
export function selectByKeysSql(table: ShardedTable): string {
  return `SELECT to_jsonb(t)::text AS row FROM ${ident(table.name)} t WHERE (${keyList(table)}) IN (SELECT ${keyList(table)} FROM jsonb_populate_recordset(NULL::${ident(table.name)}, $1::jsonb))`;
}

/** A JSON array from JSON texts, without parsing them. */
export function jsonArray(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
