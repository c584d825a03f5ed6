/**
 * How the API at stage 10 knows whether the stage-1 database (PostgreSQL on
 * the instance's data volume) was copied into RDS before it was switched
 * there (docs/runbooks/1-to-10.md). Three parties share these names:
 *
 * - the instance's stop script (lib/, cfn-init at stage 10 and 100), which,
 *   before it stops the local server for good, writes the row count of every
 *   table into STAGE_ONE_RECORD_FILE under DATA_DIR;
 * - tools/db-copy, which after a verification with equal counts and checksums
 *   writes the counts it verified into COPY_VERIFIED_TABLE on the target;
 * - the API, which at start-up compares the two and refuses to serve (nor
 *   migrates) while the record holds rows the target never verified.
 *
 * Imports nothing.
 */

/** Under DATA_DIR: `{ "recordedAt": "...", "tables": { "public.users": 12, ... } }`, written once by root. */
export const STAGE_ONE_RECORD_FILE = 'stage-1-database.json';

/** db-copy's own schema on the target (never copied, never migrated by the API). */
export const COPY_STATE_SCHEMA = 'db_copy';

/** One row per successful verification: `tables` is the same JSON shape as the record's. */
export const COPY_VERIFIED_TABLE = `${COPY_STATE_SCHEMA}.verified`;

/** Tables whose rows say nothing about users' data (the API's bookkeeping): ignored by the comparison. */
export const BOOKKEEPING_TABLES: readonly string[] = ['public.schema_migrations'];

/** Row counts per `schema.table`. */
export type TableRowCounts = Readonly<Record<string, number>>;

/**
 * The tables whose rows the record holds and the verified copy does not
 * account for (missing from the copy, or a different count: written after
 * it). Empty: nothing of the stage-1 database would be left behind.
 */
export function uncopiedTables(record: TableRowCounts, verified: TableRowCounts | undefined): string[] {
  return Object.keys(record)
    .filter((table) => !BOOKKEEPING_TABLES.includes(table))
    .filter((table) => (verified === undefined ? record[table] > 0 : record[table] !== (verified[table] ?? 0)))
    .sort();
}
