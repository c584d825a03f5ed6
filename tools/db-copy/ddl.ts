import type { Column, DatabaseModel, Table } from './catalog';
import { ident, qualified } from './session';

function columnDefinition(column: Column): string {
  const parts = [ident(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${column.collation}`);
  if (column.generatedExpr) parts.push(`GENERATED ALWAYS AS (${column.generatedExpr}) STORED`);
  else if (column.identity) parts.push(`GENERATED ${column.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  else if (column.defaultExpr) parts.push(`DEFAULT ${column.defaultExpr}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

function createTable(table: Table): string[] {
  const name = qualified(table.schema, table.name);
  return [
    `CREATE TABLE ${name} (\n  ${table.columns.map(columnDefinition).join(',\n  ')}\n)`,
    ...table.constraints.map((c) => `ALTER TABLE ${name} ADD CONSTRAINT ${ident(c.name)} ${c.definition}`),
    ...table.indexes,
  ];
}

/**
 * Statements that recreate the schema before any row is copied: schemas,
 * extensions, enum types, sequences, functions, tables with their keys,
 * checks and indexes (the primary key lets a resumed copy skip rows it has).
 */
export function preDataStatements(model: DatabaseModel): string[] {
  return [
    ...model.schemas.map((schema) => `CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`),
    ...model.extensions.map((extension) => `CREATE EXTENSION IF NOT EXISTS ${ident(extension)}`),
    ...model.enums.map((e) => `CREATE TYPE ${qualified(e.schema, e.name)} AS ENUM (${e.labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(', ')})`),
    ...model.sequences.filter((s) => !s.identity).map((s) => s.definition),
    ...model.functions,
    ...model.tables.flatMap(createTable),
  ];
}

/** Statements after the rows: foreign keys, serial ownership, views, triggers (so they do not fire during the copy). */
export function postDataStatements(model: DatabaseModel): string[] {
  return [
    ...model.tables.flatMap((table) =>
      table.foreignKeys.map((fk) => `ALTER TABLE ${qualified(table.schema, table.name)} ADD CONSTRAINT ${ident(fk.name)} ${fk.definition}`),
    ),
    ...model.sequences
      .filter((s) => s.ownedBy)
      .map((s) => `ALTER SEQUENCE ${qualified(s.schema, s.name)} OWNED BY ${s.ownedBy}`),
    ...model.views.map((v) => `CREATE VIEW ${qualified(v.schema, v.name)} AS ${v.definition}`),
    ...model.tables.flatMap((table) => table.triggers),
  ];
}
