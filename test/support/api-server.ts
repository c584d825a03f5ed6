import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ENVIRONMENT_VARIABLES } from '../../contracts/api-environment';
import { freePort } from './free-port';
import { productionBundleDir } from './production-bundle';

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
 * Test defaults, each overridable through `env`: `PASSWORD_HASH_COST=test`
 * (cheap scrypt), generous sign-up/log-in rate limits, `LOG_LEVEL=warn`.
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
    PASSWORD_HASH_COST: 'test',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '1000000',
    AUTH_RATE_LIMIT_PER_USERNAME: '1000000',
    PHOTO_CREATE_LIMIT_PER_USER: '1000000',
    PHOTO_UPLOAD_LIMIT_PER_USER: '1000000',
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
