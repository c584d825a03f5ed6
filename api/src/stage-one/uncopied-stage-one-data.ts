import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { COPY_VERIFIED_TABLE, STAGE_ONE_RECORD_FILE, uncopiedTables, type TableRowCounts } from '../../../contracts/stage-one-copy';

function rowCounts(value: unknown, what: string): TableRowCounts {
  if (typeof value !== 'object' || value === null) throw new Error(`${what} has no table counts`);
  const counts: Record<string, number> = {};
  for (const [table, count] of Object.entries(value)) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`${what}: ${table} has no row count`);
    counts[table] = count;
  }
  return counts;
}

/** The stage-1 database's table counts, recorded on the data volume when the instance left stage 1; undefined where none was. */
async function readStageOneRecord(dataDir: string): Promise<TableRowCounts | undefined> {
  const path = join(dataDir, STAGE_ONE_RECORD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return rowCounts((JSON.parse(text) as { tables?: unknown }).tables, path);
}

/** The counts of the latest verified db-copy into this database; undefined if none ever finished. */
async function readVerifiedCopy(primary: ClientConfig): Promise<TableRowCounts | undefined> {
  const client = new Client(primary);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ found: boolean }>(`SELECT to_regclass('${COPY_VERIFIED_TABLE}') IS NOT NULL AS found`);
    if (!rows[0].found) return undefined;
    const latest = await client.query<{ tables: unknown }>(`SELECT tables FROM ${COPY_VERIFIED_TABLE} ORDER BY verified_at DESC LIMIT 1`);
    return latest.rows.length === 0 ? undefined : rowCounts(latest.rows[0].tables, COPY_VERIFIED_TABLE);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Host and database of a connection, without credentials, for messages; `socket` when it is a Unix socket (the instance's own server). */
function describe(primary: ClientConfig): { readonly where: string; readonly socket: boolean } {
  if (primary.connectionString) {
    const url = new URL(primary.connectionString);
    const host = url.hostname || url.searchParams.get('host') || '';
    return { where: `${host}${url.pathname}`, socket: host === '' || host.startsWith('/') };
  }
  const host = primary.host ?? '';
  return { where: `${host}/${primary.database ?? ''}`, socket: host === '' || host.startsWith('/') };
}

/**
 * Why this API must not serve from `primary` yet, or undefined when it may.
 * It may not while the instance's stage-1 database (its table counts
 * recorded in DATA_DIR when the instance left stage 1) holds rows that no
 * verified db-copy into `primary` accounts for: serving would migrate an
 * empty database and take writes there, leaving two diverging databases
 * (docs/runbooks/1-to-10.md).
 */
export async function uncopiedStageOneData(dataDir: string, primary: ClientConfig): Promise<string | undefined> {
  const { where, socket } = describe(primary);
  // Serving from the instance's own server is stage 1 itself: nothing to copy.
  if (socket) return undefined;
  const record = await readStageOneRecord(dataDir);
  if (record === undefined) return undefined;
  const verified = await readVerifiedCopy(primary);
  const tables = uncopiedTables(record, verified);
  if (tables.length === 0) return undefined;
  const listed = tables.map((table) => `${table} ${record[table]}${verified ? ` (copied: ${verified[table] ?? 0})` : ''}`).join(', ');
  return verified === undefined
    ? `the stage-1 database on this instance holds rows that were never copied into ${where} (${listed}); run tools/db-copy as docs/runbooks/1-to-10.md says, then restart the API`
    : `the stage-1 database on this instance changed after it was copied into ${where} (${listed}); copy it again into an emptied database (docs/runbooks/1-to-10.md, "Copying again"), then restart the API`;
}
