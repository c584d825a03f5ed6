import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../api/src/app';
import { loadEnvConfig } from '../../../api/src/config/env-config';
import { resolveConfig, type AppConfig } from '../../../api/src/config/resolve-config';
import { migrate } from '../../../api/src/db/migrate';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/** Rate limits no ordinary test reaches (tests of the limits set their own). */
export const GENEROUS_LIMITS: Readonly<Record<string, string>> = {
  AUTH_RATE_LIMIT_PER_IP: '1000000',
  AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '1000000',
  AUTH_RATE_LIMIT_PER_USERNAME: '1000000',
  PHOTO_CREATE_LIMIT_PER_USER: '1000000',
  PHOTO_UPLOAD_LIMIT_PER_USER: '1000000',
};

/** No AWS in tests: any attempt to read a secret is a bug in the test. */
const noAws = {
  secretJson: async () => {
    throw new Error('tests must not read AWS secrets');
  },
  parameter: async () => {
    throw new Error('tests must not read SSM parameters');
  },
};

/** The configuration the API would build from this environment (test defaults: cheap scrypt, silent logs). */
export async function testConfig(env: Record<string, string>): Promise<AppConfig> {
  return resolveConfig(
    loadEnvConfig({ PASSWORD_HASH_COST: 'test', LOG_LEVEL: 'silent', ...GENEROUS_LIMITS, ...env }),
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
 */
export async function startTestApp(env: Record<string, string>, logStream?: NodeJS.WritableStream): Promise<TestApp> {
  const layout = await withLayout(env);
  try {
    const config = await testConfig(layout.env);
    for (const target of config.primaries) await migrate(target.primary);
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
