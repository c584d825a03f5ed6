import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { serverCertificate } from '../../boot/support/certificates';
import { main } from '../../../tools/db-copy/cli';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';

/**
 * The command as the 1 → 10 runbook runs it: the target from an RDS
 * credentials secret (pasted JSON or read from Secrets Manager), the
 * verified-copy record the API checks at stage 10, and starting over with
 * --replace-target when the source changed after a finished copy.
 */
let server: TestPostgres;
let tlsDir: string;
let secrets: SecretsManagerStandIn;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:DatabaseSecret-AbCdEf';
const saved = { ...process.env };

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The SecretString RDS's SecretTargetAttachment leaves, for a database of the test server. */
function secretJson(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return JSON.stringify({
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    engine: 'postgres',
    host: url.hostname,
    port: Number(url.port),
    dbname: url.pathname.slice(1),
  });
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  Object.assign(process.env, env);
  process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    const code = await main(argv).catch((error: Error) => {
      lines.push(error.message);
      return 2;
    });
    return { code, output: lines.join('') };
  } finally {
    process.stderr.write = write;
    process.stdout.write = writeOut;
    for (const name of Object.keys(env)) delete process.env[name];
  }
}

beforeAll(async () => {
  // TLS like RDS: the secret's connection requires it.
  tlsDir = mkdtempSync(join(tmpdir(), 'db-copy-tls-'));
  chmodSync(tlsDir, 0o755); // the server runs as postgres when the tests run as root
  const owner = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const certificate = serverCertificate(tlsDir, '127.0.0.1', owner);
  chmodSync(tlsDir, 0o755);
  server = await startPostgres({ listen: '127.0.0.1', ssl: { cert: certificate.certFile, key: certificate.keyFile }, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
  secrets = await SecretsManagerStandIn.start({ [SECRET_ARN]: '{}' });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});
afterAll(async () => {
  process.env = saved;
  await secrets?.stop();
  await server?.stop();
  rmSync(tlsDir, { recursive: true, force: true });
});

async function sourceWithRows(rows: number): Promise<string> {
  const url = await server.createDatabase();
  await query(url, `CREATE TABLE users (id bigint PRIMARY KEY, name text); INSERT INTO users SELECT i, 'u' || i FROM generate_series(1, ${rows}) i`);
  return url;
}

test('the target from the pasted secret JSON (TARGET_DATABASE_SECRET): copied, verified, and the verified counts recorded on the target', async () => {
  const source = await sourceWithRows(5);
  const target = await server.createDatabase();
  const { code, output } = await run(['--source', source], { TARGET_DATABASE_SECRET: secretJson(target) });
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('1 tables verified') });
  expect(output).not.toContain(new URL(target).password);
  expect(await query(target, 'SELECT tables FROM db_copy.verified')).toEqual([{ tables: { 'public.users': 5 } }]);
});

test('the target read from Secrets Manager (--target-secret, in the ARN’s region); a bad secret is a clear error that copies nothing', async () => {
  const source = await sourceWithRows(3);
  const target = await server.createDatabase();
  secrets.rotate(SECRET_ARN, secretJson(target));
  expect((await run(['--source', source, '--target-secret', SECRET_ARN])).code).toBe(0);
  expect(await query(target, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 3 }]);

  const other = await server.createDatabase();
  const missing = await run(['--source', source, '--target-secret', SECRET_ARN.replace('AbCdEf', 'Nope00')]);
  expect(missing).toEqual({ code: 2, output: expect.stringMatching(/cannot read the database secret: .*can't find the specified secret/) });
  const garbled = await run(['--source', source], { TARGET_DATABASE_SECRET: '{"username": "x"' });
  expect(garbled).toEqual({ code: 2, output: expect.stringContaining('TARGET_DATABASE_SECRET is not JSON') });
  expect(await query(other, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }]);
});

test('a source changed after a finished copy: a re-run reports the difference and records nothing; --replace-target starts over and verifies', async () => {
  const source = await sourceWithRows(4);
  const target = await server.createDatabase();
  expect((await run(['--source', source, '--target', target])).code).toBe(0);
  await query(source, "INSERT INTO users VALUES (100, 'late')");
  const again = await run(['--source', source, '--target', target]);
  expect(again).toEqual({ code: 1, output: expect.stringContaining('1 table(s) differ: public.users') });
  expect(await query(target, 'SELECT count(*)::int AS n FROM db_copy.verified')).toEqual([{ n: 1 }]);

  const replaced = await run(['--source', source, '--target', target, '--replace-target']);
  expect(replaced).toEqual({ code: 0, output: expect.stringContaining('replace-target: dropped 1 tables') });
  expect(await query(target, 'SELECT tables FROM db_copy.verified')).toEqual([{ tables: { 'public.users': 5 } }]);
});

test('--replace-target refuses a target db-copy did not fill, and drops nothing', async () => {
  const source = await sourceWithRows(1);
  const target = await server.createDatabase();
  await query(target, 'CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)');
  const refused = await run(['--source', source, '--target', target, '--replace-target']);
  expect(refused).toEqual({ code: 2, output: expect.stringContaining('db-copy did not fill it; nothing was dropped') });
  expect(await query(target, 'SELECT count(*)::int AS n FROM precious')).toEqual([{ n: 1 }]);
});
