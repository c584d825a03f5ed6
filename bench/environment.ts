import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { buildApiBundle } from '../api/build';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { startRedis, type TestRedis } from '../test/support/redis';
import { parentPid, redisServerPid } from './load/process-cpu';
import { bundleBaselines } from './servers/bundle-baselines';
import type { RunningServer } from './servers/spawn-server';
import { spawnServer } from './servers/spawn-server';
import { baselineUserKey, USER_SQL, type UserRow, userJson } from './servers/user-view';
import type { SeedProgress, SeedReport } from './seed/seed-database';
import { seedDatabase } from './seed/seed-database';

/** The servers one run compares. */
export const SERVER_KEYS = ['http-baseline', 'redis-baseline', 'pg-baseline', 'api-cache', 'api-redis-only', 'api-db'] as const;
export type ServerKey = (typeof SERVER_KEYS)[number];

export interface BenchEnvironment {
  readonly seed: SeedReport;
  /** The seeded database (for the query-plan checks). */
  readonly databaseUrl: string;
  readonly servers: Readonly<Record<ServerKey, RunningServer>>;
  /** For CPU accounting: the PostgreSQL postmaster and the redis-server. */
  readonly postmasterPid?: number;
  readonly redisPid?: number;
  /** Users whose views the cache scenarios read (`bench:user:{id}` is preloaded for the Redis baseline). */
  readonly hotUserIds: readonly string[];
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  readonly users: number;
  readonly photos: number;
  readonly follows: number;
  readonly hotUsers: number;
  /** The API's LOG_LEVEL. @default 'info' (what the stacks set) */
  readonly apiLogLevel?: string;
  readonly log: (line: string) => void;
  readonly progress?: SeedProgress;
}


/**
 * Starts everything on loopback: a throwaway PostgreSQL (or DATABASE_URL's
 * server) seeded with the data set, a throwaway Redis, the API production
 * bundle three times (cache with its near tier as shipped, Redis only, no
 * cache) and the three baselines, each its own `node` process. `stop()`
 * ends every process it started and removes every file.
 */
export async function startEnvironment(options: EnvironmentOptions): Promise<BenchEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-bench-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const item of started.reverse()) await item.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.log('starting PostgreSQL and Redis');
    const pg: TestPostgres = await startPostgres();
    started.push(pg);
    const redis: TestRedis = await startRedis();
    started.push(redis);

    options.log(`seeding ${options.users} users, ${options.photos} photos, ${options.follows} follows`);
    const seed = await seedDatabase(pg.url, { users: options.users, photos: options.photos, follows: options.follows }, options.progress);

    const hotUserIds = seed.dataSet.userIds.slice(0, Math.min(options.hotUsers, seed.dataSet.users)).map(String);
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    const redisClient = new Redis(redis.url);
    let postmasterPid: number | undefined;
    try {
      postmasterPid = parentPid(Number((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid));
      const pipeline = redisClient.pipeline();
      for (const id of hotUserIds) {
        const { rows } = await db.query<UserRow>(USER_SQL, [id]);
        pipeline.set(baselineUserKey(id), userJson(rows[0]));
      }
      await pipeline.exec();
    } finally {
      await db.end();
      redisClient.disconnect();
    }

    options.log('bundling the API and the baselines');
    const apiBundle = buildApiBundle(join(dir, 'api'));
    const baselines = bundleBaselines(join(dir, 'baselines'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const apiEnv = (extra: Record<string, string>, name: string) => {
      const dataDir = join(dir, `data-${name}`);
      mkdirSync(dataDir);
      // Production settings (LOG_LEVEL info unless asked otherwise, production scrypt cost); only the log-in rate limits are lifted,
      // since every request comes from one loopback address.
      return { DATABASE_URL: pg.url, DATA_DIR: dataDir, LOG_LEVEL: options.apiLogLevel ?? 'info', AUTH_RATE_LIMIT_PER_IP: '1000000', AUTH_RATE_LIMIT_PER_USERNAME: '1000000', ...extra };
    };
    const specs: Array<[ServerKey, string, Record<string, string>]> = [
      ['http-baseline', baselines['http-baseline'], {}],
      ['redis-baseline', baselines['redis-baseline'], { REDIS_URL: redis.url }],
      ['pg-baseline', baselines['pg-baseline'], { DATABASE_URL: pg.url }],
      ['api-cache', apiBundle, apiEnv({ REDIS_URL: redis.url }, 'cache')],
      ['api-redis-only', apiBundle, apiEnv({ REDIS_URL: redis.url, NEAR_CACHE_TTL_MS: '0' }, 'redis-only')],
      ['api-db', apiBundle, apiEnv({}, 'db')],
    ];
    const servers = {} as Record<ServerKey, RunningServer>;
    for (const [key, script, env] of specs) {
      options.log(`starting ${key}`);
      servers[key] = await spawnServer(key, script, env, join(logs, `${key}.log`));
      started.push(servers[key]);
    }
    return { seed, databaseUrl: pg.url, servers, postmasterPid, redisPid: redisServerPid(redis.port), hotUserIds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
