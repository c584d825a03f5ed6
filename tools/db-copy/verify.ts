import type { Client } from 'pg';
import type { Table } from './catalog';
import { ident, qualified } from './session';

export interface TableCheck {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly sourceChecksum: string;
  readonly targetChecksum: string;
  readonly ok: boolean;
}

/**
 * Row count and an order-independent checksum (sum of the first 64 bits of
 * each row's md5) over every column, generated ones included. Both sessions
 * use the same text settings, so equal data gives equal sums.
 */
async function measure(client: Client, table: Table): Promise<{ rows: number; checksum: string }> {
  const row = `ROW(${table.columns.map((c) => ident(c.name)).join(', ')})::text`;
  const { rows } = await client.query<{ rows: string; checksum: string }>(
    `SELECT count(*)::text AS rows, coalesce(sum(('x' || left(md5(${row}), 16))::bit(64)::bigint::numeric), 0)::text AS checksum FROM ${qualified(table.schema, table.name)}`,
  );
  return { rows: Number(rows[0].rows), checksum: rows[0].checksum };
}

export async function verifyTable(source: Client, target: Client, table: Table): Promise<TableCheck> {
  const [a, b] = await Promise.all([measure(source, table), measure(target, table)]);
  return {
    table: `${table.schema}.${table.name}`,
    sourceRows: a.rows,
    targetRows: b.rows,
    sourceChecksum: a.checksum,
    targetChecksum: b.checksum,
    ok: a.rows === b.rows && a.checksum === b.checksum,
  };
}
