import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { API_ENVIRONMENT_VARIABLES } from '../../contracts/api-environment';
import { buildApp } from '../../api/src/app';
import { loadEnvConfig } from '../../api/src/config/env-config';
import { resolveConfig, type AppConfig } from '../../api/src/config/resolve-config';
import { migrateAll } from '../../api/src/db/open-database';
import { freePort } from './free-port';
import { startPostgres, type TestPostgres } from './postgres';
import { productionBundleDir } from './production-bundle';

/**
 * The one way tests start the API. Both ways below run the same app with the
 * same test defaults (TEST_API_ENV) from the same environment variables the
 * fleet sets (docs/configuration.md):
 * - `startApi`: the REAL production bundle as a child process, for what
 *   only a process shows (signals, exit codes, kills, start-up, its own
 *   event loop under load);
 * - `startTestApp`: the app in this process, for tests that also look inside
 *   (`app.db`, `app.redis`, the log stream) or run many apps cheaply.
 */

/** Test defaults of every API a test starts, each overridable: cheap scrypt, and rate limits no ordinary test reaches (tests of the limits set their own). */
export const TEST_API_ENV: Readonly<Record<string, string>> = {
  PASSWORD_HASH_COST: 'test',
  AUTH_RATE_LIMIT_PER_IP: '1000000',
  AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '1000000',
  AUTH_RATE_LIMIT_PER_USERNAME: '1000000',
  PHOTO_CREATE_LIMIT_PER_USER: '1000000',
  PHOTO_UPLOAD_LIMIT_PER_USER: '1000000',
};

export interface StartApiOptions {
  /** Primary database (e.g. `startPostgres().url`); migrated by the API at start. */
  readonly databaseUrl: string;
  /** Redis for cache, sessions and rate limits; omitted: everything in PostgreSQL. */
  readonly redisUrl?: string;
  /** Directory of a built web client to serve at `/`. */
  readonly webRoot?: string;
  /** Photo files; omitted: a fresh temp directory, removed by `stop()`. */
  readonly dataDir?: string;
  /** Extra or overriding environment variables (see docs/configuration.md). */
  readonly env?: Record<string, string>;
  /** The loopback port to listen on (a restart on the same address); omitted: a free one. */
  readonly port?: number;
}

export interface RunningApi {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The API process id. */
  readonly pid: number;
  /** Resolves with the exit code when the process exits (null if killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then waits for the graceful drain and exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, stderr: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode} before it was healthy: ${stderr().trim()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`API did not become healthy within ${timeoutMs} ms: ${stderr().trim()}`);
}

/**
 * Runs the REAL production bundle (`buildApiBundle`, the file the fleet runs)
 * as a child process on a free loopback port, so the API under test never
 * shares a CPU-bound event loop with the test or the load generator.
 *
 * Test defaults, each overridable through `env`: TEST_API_ENV and `LOG_LEVEL=warn`.
 */
export async function startApi(opts: StartApiOptions): Promise<RunningApi> {
  const server = join(productionBundleDir(), 'server.js');
  const port = opts.port ?? (await freePort());
  const ownDataDir = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'graminsta-api-data-'));
  // Every variable the API reads is left out: none leaks in from the caller's environment unless passed explicitly.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(API_ENVIRONMENT_VARIABLES as readonly string[]).includes(name)));
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...TEST_API_ENV,
    DATABASE_URL: opts.databaseUrl,
    DATA_DIR: opts.dataDir ?? ownDataDir,
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.webRoot ? { WEB_ROOT: opts.webRoot } : {}),
    ...opts.env,
  };
  const child = spawn(process.execPath, ['--enable-source-maps', server], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => {
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, () => stderr);
  } catch (error) {
    cleanup();
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    exited,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          cleanup();
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(killer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** No AWS in tests: any attempt to read a secret is a bug in the test. */
const noAws = {
  getSecretString: async () => {
    throw new Error('tests must not read AWS secrets');
  },
  getParameter: async () => {
    throw new Error('tests must not read SSM parameters');
  },
};

/** The configuration the API would build from this environment (test defaults: cheap scrypt, silent logs). */
export async function testConfig(env: Record<string, string>): Promise<AppConfig> {
  return resolveConfig(
    loadEnvConfig({ LOG_LEVEL: 'silent', ...TEST_API_ENV, ...env }),
    noAws,
    {},
  );
}

export interface TestApp {
  readonly app: FastifyInstance;
  /** Base URL of the listening app. */
  readonly url: string;
  readonly config: AppConfig;
  close(): Promise<void>;
}

/** Real PostgreSQL servers per test file (0 extra by default): see `useShardServers`. */
let shardServers = 1;

/**
 * Makes every later `startTestApp({ DATABASE_URL })` of this test file run on
 * `count` real PostgreSQL servers instead of one: the given database becomes
 * `primary-0`, and `count - 1` more servers are started (and stopped with the
 * app), passed as `SHARD_DATABASE_URLS`. Layouts with their own database
 * settings (replicas, a shard map) are left alone. The shard-layout suites
 * call this, then import the route suites, which then run unchanged; so a
 * route suite that looks at rows directly finds them with
 * `app.db.forId(id)` / `forShard(shard)` (or every `app.db.nodes`), never
 * assuming one server.
 */
export function useShardServers(count: number): void {
  shardServers = count;
}

/** Server count of every multi-server layout this test file started (the shard-layout suites check it). */
export const layoutsStarted: number[] = [];

/** Extra servers shared by apps started on the same base URL (two apps of one test share one layout). */
const layouts = new Map<string, { servers: Promise<TestPostgres[]>; users: number }>();

async function withLayout(env: Record<string, string>): Promise<{ env: Record<string, string>; release: () => Promise<void> }> {
  const base = env.DATABASE_URL;
  const own = ['SHARD_MAP', 'SHARD_MAP_PARAMETER', 'SHARD_DATABASE_URLS', 'DATABASE_REPLICA_URLS', 'DATABASE_REPLICA_HOSTS'].some((name) => env[name]);
  if (shardServers <= 1 || !base || own) return { env, release: async () => undefined };
  let layout = layouts.get(base);
  if (!layout) {
    layout = { servers: Promise.all(Array.from({ length: shardServers - 1 }, () => startPostgres())), users: 0 };
    layouts.set(base, layout);
    layoutsStarted.push(shardServers);
  }
  layout.users++;
  const servers = await layout.servers;
  const { DATABASE_URL: _, ...rest } = env;
  const release = async () => {
    if (--layout.users > 0) return;
    layouts.delete(base);
    await Promise.all(servers.map((server) => server.stop()));
  };
  return { env: { ...rest, SHARD_DATABASE_URLS: [base, ...servers.map((server) => server.url)].join(',') }, release };
}

/**
 * The app in-process, listening on a free loopback port (tests talk HTTP to
 * it and may also inspect `app.db` / `app.redis`). Migrates first, as server.ts does.
 * Only the variables in `env` (and TEST_API_ENV) configure it: the caller's environment is not read.
 */
export async function startTestApp(env: Record<string, string>, logStream?: NodeJS.WritableStream): Promise<TestApp> {
  const layout = await withLayout(env);
  try {
    const config = await testConfig(layout.env);
    await migrateAll(config);
    // With a stream: the production logger (redaction included) writing there; without: silent.
    const app = await buildApp(config, logStream ? { logStream } : { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      app,
      url: `http://127.0.0.1:${port}`,
      config,
      close: async () => {
        await app.close();
        await layout.release();
      },
    };
  } catch (error) {
    await layout.release();
    throw error;
  }
}
