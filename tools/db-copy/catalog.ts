import type { Client } from 'pg';
import { COPY_STATE_SCHEMA } from '../../contracts/stage-one-copy';

/** The copy keeps its own bookkeeping in this schema on the target; it is never copied. */
export const STATE_SCHEMA = COPY_STATE_SCHEMA;

export interface Column {
  readonly name: string;
  /** `format_type` output, e.g. `character varying(30)`. */
  readonly type: string;
  readonly notNull: boolean;
  readonly defaultExpr?: string;
  /** Expression of a STORED generated column (not copied: the target computes it). */
  readonly generatedExpr?: string;
  /** Identity column: 'a' (ALWAYS) or 'd' (BY DEFAULT). */
  readonly identity?: 'a' | 'd';
  readonly collation?: string;
}

export interface Table {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly Column[];
  /** Primary-key columns, in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /** `ALTER TABLE ... ADD CONSTRAINT` bodies except foreign keys, by name. */
  readonly constraints: readonly { readonly name: string; readonly definition: string }[];
  readonly foreignKeys: readonly { readonly name: string; readonly definition: string }[];
  /** `CREATE INDEX` statements of indexes that back no constraint. */
  readonly indexes: readonly string[];
  readonly triggers: readonly string[];
}

export interface Sequence {
  readonly schema: string;
  readonly name: string;
  readonly definition: string;
  /** Owned by an identity column: created with the table, only its value is copied. */
  readonly identity: boolean;
  /** `schema.table.column` of a serial column owning it (restored after the tables exist). */
  readonly ownedBy: string | null;
}

export interface DatabaseModel {
  readonly schemas: readonly string[];
  readonly extensions: readonly string[];
  readonly enums: readonly { readonly schema: string; readonly name: string; readonly labels: readonly string[] }[];
  readonly sequences: readonly Sequence[];
  readonly functions: readonly string[];
  readonly tables: readonly Table[];
  readonly views: readonly { readonly schema: string; readonly name: string; readonly definition: string }[];
}

const USER_SCHEMAS = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND n.nspname <> '${STATE_SCHEMA}'`;
// Objects that belong to an extension come with CREATE EXTENSION.
const NOT_FROM_EXTENSION = (classId: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classId}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/**
 * Reads the schema of every user schema from the source's catalog, so the
 * copy needs no knowledge of the application's tables. Fails clearly on
 * objects it does not recreate (partitioned or inherited tables, domains,
 * composite types, materialized views) rather than copying them wrongly.
 */
export async function readDatabaseModel(client: Client): Promise<DatabaseModel> {
  const schemas = (await client.query<{ nspname: string }>(`SELECT n.nspname FROM pg_namespace n WHERE ${USER_SCHEMAS} ORDER BY 1`)).rows.map((r) => r.nspname);
  const extensions = (await client.query<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`)).rows.map((r) => r.extname);

  const unsupported = (
    await client.query<{ what: string }>(`
      SELECT format('%s %I.%I', CASE c.relkind WHEN 'p' THEN 'partitioned table' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END, n.nspname, c.relname) AS what
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_SCHEMAS} AND c.relkind IN ('p', 'm', 'f') AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')}
      UNION ALL
      SELECT format('inherited table %I.%I', n.nspname, c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS}
      UNION ALL
      SELECT format('%s type %I.%I', CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' END, n.nspname, t.typname)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${USER_SCHEMAS} AND ${NOT_FROM_EXTENSION('pg_type', 't.oid')}
         AND (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))`)
  ).rows.map((r) => r.what);
  if (unsupported.length > 0) throw new Error(`the source holds objects db-copy does not recreate: ${unsupported.join(', ')}`);

  const enums = (
    await client.query<{ schema: string; name: string; labels: string[] }>(`
      SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
       WHERE ${USER_SCHEMAS} AND ${NOT_FROM_EXTENSION('pg_type', 't.oid')}
       GROUP BY 1, 2 ORDER BY 1, 2`)
  ).rows;

  const sequences = (
    await client.query<Sequence>(`
      SELECT s.schemaname AS schema, s.sequencename AS name,
             format('CREATE SEQUENCE %I.%I AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s%s',
                    s.schemaname, s.sequencename, s.data_type, s.increment_by, s.min_value, s.max_value, s.start_value, s.cache_size,
                    CASE WHEN s.cycle THEN ' CYCLE' ELSE '' END) AS definition,
             EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = sc.oid AND d.deptype = 'i') AS identity,
             (SELECT format('%I.%I.%I', tn.nspname, tc.relname, a.attname) FROM pg_depend d
                JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = sc.oid AND d.deptype = 'a' AND d.refclassid = 'pg_class'::regclass) AS "ownedBy"
        FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname
        JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = n.oid
       WHERE ${USER_SCHEMAS} ORDER BY 1, 2`)
  ).rows;

  const functions = (
    await client.query<{ definition: string }>(`
      SELECT pg_get_functiondef(p.oid) AS definition
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE ${USER_SCHEMAS} AND p.prokind IN ('f', 'p') AND ${NOT_FROM_EXTENSION('pg_proc', 'p.oid')}
       ORDER BY n.nspname, p.proname, p.oid`)
  ).rows.map((r) => r.definition);

  const tableRows = (
    await client.query<{ oid: number; schema: string; name: string }>(`
      SELECT c.oid, n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_SCHEMAS} AND c.relkind = 'r' AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')} ORDER BY 2, 3`)
  ).rows;
  const tables: Table[] = [];
  for (const row of tableRows) tables.push(await readTable(client, row.oid, row.schema, row.name));

  const views = (
    await client.query<{ schema: string; name: string; definition: string }>(`
      SELECT n.nspname AS schema, c.relname AS name, pg_get_viewdef(c.oid) AS definition
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_SCHEMAS} AND c.relkind = 'v' AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')} ORDER BY c.oid`)
  ).rows;

  return { schemas, extensions, enums, sequences, functions, tables, views };
}

async function readTable(client: Client, oid: number, schema: string, name: string): Promise<Table> {
  const columns = (
    await client.query<{ name: string; type: string; notnull: boolean; def: string | null; generated: string; identity: string; collation: string | null }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated AS generated, a.attidentity AS identity,
              CASE WHEN a.attcollation <> t.typcollation THEN (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END AS collation
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    )
  ).rows.map(
    (c): Column => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull,
      ...(c.def && c.generated === '' ? { defaultExpr: c.def } : {}),
      ...(c.def && c.generated === 's' ? { generatedExpr: c.def } : {}),
      ...(c.identity === 'a' || c.identity === 'd' ? { identity: c.identity } : {}),
      ...(c.collation ? { collation: c.collation } : {}),
    }),
  );
  const constraintRows = (
    await client.query<{ name: string; type: string; definition: string; pk: string[] | null }>(
      `SELECT conname AS name, contype AS type, pg_get_constraintdef(oid) AS definition,
              CASE WHEN contype = 'p' THEN (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.attnum) END AS pk
         FROM pg_constraint WHERE conrelid = $1 AND contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY contype = 'p' DESC, conname`,
      [oid],
    )
  ).rows;
  const indexes = (
    await client.query<{ definition: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
        WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY i.indexrelid`,
      [oid],
    )
  ).rows.map((r) => r.definition);
  const triggers = (
    await client.query<{ definition: string }>(`SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY tgname`, [oid])
  ).rows.map((r) => r.definition);
  return {
    schema,
    name,
    columns,
    primaryKey: constraintRows.find((c) => c.type === 'p')?.pk ?? [],
    constraints: constraintRows.filter((c) => c.type !== 'f').map(({ name: n, definition }) => ({ name: n, definition })),
    foreignKeys: constraintRows.filter((c) => c.type === 'f').map(({ name: n, definition }) => ({ name: n, definition })),
    indexes,
    triggers,
  };
}
