import { Client } from 'pg';

/**
 * Session settings that make every value's text form identical on both
 * servers (copy and checksums go through text), whatever the servers' defaults.
 */
const STABLE_TEXT = [
  "SET TIME ZONE 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  'SET extra_float_digits = 3',
  "SET bytea_output = 'hex'",
  // Function bodies may name tables created after them.
  'SET check_function_bodies = off',
];

/** Connects with the stable settings. */
export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'graminsta-db-copy' });
  await client.connect();
  for (const statement of STABLE_TEXT) await client.query(statement);
  return client;
}

/** A connection string safe to print: no password, no query parameters. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || new URLSearchParams(parsed.search).get('host') || 'local socket';
    return `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${host}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(unparsable connection string)';
  }
}

/** Quotes an identifier for SQL. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"`. */
export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}
