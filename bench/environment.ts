import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { buildApiBundle } from '../build/api-bundle';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { startRedis, type TestRedis } from '../test/support/redis';
import { parentPid, redisServerPid } from './load/process-cpu';
import { removeStaleRuns, RunLedger } from './run-ledger';
import { bundleBaselines } from './servers/bundle-baselines';
import type { RunningServer } from './servers/spawn-server';
import { spawnServer } from './servers/spawn-server';
import { baselineUserKey, USER_SQL, type UserRow, userJson } from './servers/user-view';
import { hashPassword } from '../api/src/auth/passwords';
import { BENCH_PASSWORD, DataSet, DEFAULT_CELEBRITY_FOLLOWERS } from './seed/data-set';
import type { SeedProgress, SeedReport } from './seed/seed-database';
import { seedDatabase } from './seed/seed-database';
import { evenLayout, type LayoutServer, ownedBy, shardMapJson } from './seed/shard-layout';

/** The servers one run compares. */
export const SERVER_KEYS = [
  'http-baseline', 'redis-baseline', 'pg-baseline', 'api-cache', 'api-redis-only', 'api-db', 'api-queue', 'api-cache-shards', 'api-db-shards', 'api-queue-shards',
] as const;
export type ServerKey = (typeof SERVER_KEYS)[number];
/** The API on the multi-server shard layout, each twin of a one-server API with the same settings but the shard map. */
export const SHARDED_TWIN: Readonly<Partial<Record<ServerKey, ServerKey>>> = { 'api-cache': 'api-cache-shards', 'api-db': 'api-db-shards', 'api-queue': 'api-queue-shards' };
const isSharded = (key: ServerKey) => key.endsWith('-shards');

/** The multi-server layout of a run: its servers, the rows each holds, its postmasters. */
export interface ShardLayoutEnvironment {
  readonly servers: ReadonlyArray<LayoutServer & { readonly url: string; readonly seed: SeedReport }>;
  readonly postmasterPids: readonly number[];
}

export interface BenchEnvironment {
  readonly seed: SeedReport;
  /** The seeded database (for the query-plan checks). */
  readonly databaseUrl: string;
  /** The sharded APIs are there only with a shard layout. */
  readonly servers: Readonly<Partial<Record<ServerKey, RunningServer>>>;
  /** For CPU accounting: the PostgreSQL postmaster and the redis-server. */
  readonly postmasterPid?: number;
  readonly redisPid?: number;
  /** The same data set spread over several PostgreSQL servers (`shardServers` > 0). */
  readonly shardLayout?: ShardLayoutEnvironment;
  /** The postmasters a server's requests run on (every server of the layout for a sharded API). */
  postgresPidsFor(key: ServerKey): readonly number[];
  /**
   * Starts one more process of a server with the same script and settings
   * (so the same data, Redis databases and sessions) and Node flags
   * (`--cpu-prof`); stopped by `stop()` if not before.
   */
  spawnCopy(key: ServerKey, nodeArgs: readonly string[]): Promise<RunningServer>;
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
  /** PostgreSQL servers of the shard layout run next to the one-server layout; 0 for none. @default 0 */
  readonly shardServers?: number;
}

/** The queue settings of the fan-out feed, the celebrity threshold the seed's feed_entries were built for. */
const QUEUE_ENV = { QUEUE: 'postgres', FEED_CELEBRITY_FOLLOWERS: String(DEFAULT_CELEBRITY_FOLLOWERS) };

/**
 * Records a PostgreSQL server of the run: its postmaster and the directory it
 * keeps (its pg-server.mjs keeper stops it by itself once the run is gone: its
 * stdin closes).
 */
async function recordPostgres(ledger: RunLedger, url: string, role: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  let dataDir: string;
  let postmaster: number | undefined;
  try {
    dataDir = String((await db.query<{ data_directory: string }>('SHOW data_directory')).rows[0].data_directory);
    postmaster = parentPid(Number((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  } finally {
    await db.end();
  }
  // A postmaster stops at once on SIGINT (fast shutdown); SIGTERM would wait for its clients.
  ledger.record(`${role} postmaster`, postmaster, { signal: 'SIGINT', removeDir: dirname(dataDir) });
}

async function postmasterOf(url: string): Promise<number | undefined> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return parentPid(Number((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  } finally {
    await db.end();
  }
}


/**
 * Starts everything on loopback: a throwaway PostgreSQL (or DATABASE_URL's
 * server) seeded with the data set, a throwaway Redis, the API production
 * bundle three times (cache with its near tier as shipped, Redis only, no
 * cache) and the three baselines, each its own `node` process. `stop()`
 * ends every process it started and removes every file.
 */
export async function startEnvironment(options: EnvironmentOptions): Promise<BenchEnvironment> {
  const stale = await removeStaleRuns();
  for (const dir of stale.dirs) options.log(`removed ${dir}, left by a killed run`);
  if (stale.processes.length > 0) options.log(`ended what it left running: ${stale.processes.map((p) => `${p.role} (pid ${p.pid})`).join(', ')}`);
  const ledger = RunLedger.create();
  const dir = ledger.dir;
  const started: Array<{ stop(): Promise<void> }> = [];
  // Registered before it is ready: an interrupt while PostgreSQL initialises waits for it, then stops it (and its directory goes).
  const starting = <T extends { stop(): Promise<void> }>(start: Promise<T>): Promise<T> => {
    started.push({ stop: () => start.then((server) => server.stop(), () => undefined) });
    return start;
  };
  let stopping: Promise<void> | undefined;
  // Interrupted at any point, even while seeding (minutes), the run ends what it started and removes its directory.
  const onSignal = (signal: NodeJS.Signals) => {
    options.log(`${signal}: stopping every server this run started`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stop = () =>
    (stopping ??= (async () => {
      for (const item of started.reverse()) await item.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    })());
  try {
    options.log('starting PostgreSQL and Redis');
    const pg: TestPostgres = await starting(startPostgres());
    await recordPostgres(ledger, pg.url, 'PostgreSQL');
    const redis: TestRedis = await starting(startRedis());
    ledger.record('redis-server', redisServerPid(redis.port));

    const sizes = { users: options.users, photos: options.photos, follows: options.follows };
    const dataSet = new DataSet(sizes);
    const passwordHash = await hashPassword(BENCH_PASSWORD, 'production');
    options.log(`seeding ${options.users} users, ${options.photos} photos, ${options.follows} follows on one server`);
    const seed = await seedDatabase(pg.url, { ...sizes, dataSet, passwordHash, celebrityFollowers: DEFAULT_CELEBRITY_FOLLOWERS }, options.progress);

    let shardLayout: ShardLayoutEnvironment | undefined;
    if (options.shardServers) {
      const servers: Array<ShardLayoutEnvironment['servers'][number]> = [];
      for (const server of evenLayout(options.shardServers)) {
        const shardPg = await starting(startPostgres());
        await recordPostgres(ledger, shardPg.url, `PostgreSQL ${server.name}`);
        options.log(`seeding ${server.name} (logical shards ${server.first}-${server.last}) with the rows it owns`);
        servers.push({ ...server, url: shardPg.url, seed: await seedDatabase(shardPg.url, { ...sizes, dataSet, passwordHash, celebrityFollowers: DEFAULT_CELEBRITY_FOLLOWERS, shards: ownedBy(server) }, options.progress) });
      }
      shardLayout = { servers, postmasterPids: (await Promise.all(servers.map((s) => postmasterOf(s.url)))).filter((pid): pid is number => pid !== undefined) };
    }

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

    // Write the seed's dirty pages out now: a checkpoint during a measurement would bill its I/O and CPU to
    // whichever scenario runs then (the servers seeded last would pay most).
    for (const url of [pg.url, ...(shardLayout?.servers.map((s) => s.url) ?? [])]) {
      const db = new Client({ connectionString: url });
      await db.connect();
      await db.query('CHECKPOINT').finally(() => db.end());
    }

    options.log('bundling the API and the baselines');
    const apiBundle = buildApiBundle(join(dir, 'api'));
    const baselines = bundleBaselines(join(dir, 'baselines'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const apiEnv = (extra: Record<string, string>, name: string) => {
      const dataDir = join(dir, `data-${name}`);
      mkdirSync(dataDir);
      // Production settings (LOG_LEVEL info unless asked otherwise, production scrypt cost); only the rate limits are lifted:
      // every request comes from one loopback address, and a few writers create photos as fast as they can.
      const limits = { AUTH_RATE_LIMIT_PER_IP: '1000000', AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '1000000', AUTH_RATE_LIMIT_PER_USERNAME: '1000000', PHOTO_CREATE_LIMIT_PER_USER: '1000000', PHOTO_UPLOAD_LIMIT_PER_USER: '1000000' };
      return { DATABASE_URL: pg.url, DATA_DIR: dataDir, LOG_LEVEL: options.apiLogLevel ?? 'info', ...limits, ...extra };
    };
    const specs: Array<[ServerKey, string, Record<string, string>]> = [
      ['http-baseline', baselines['http-baseline'], {}],
      ['redis-baseline', baselines['redis-baseline'], { REDIS_URL: redis.url }],
      ['pg-baseline', baselines['pg-baseline'], { DATABASE_URL: pg.url }],
      ['api-cache', apiBundle, apiEnv({ REDIS_URL: redis.url }, 'cache')],
      ['api-redis-only', apiBundle, apiEnv({ REDIS_URL: redis.url, NEAR_CACHE_TTL_MS: '0' }, 'redis-only')],
      ['api-db', apiBundle, apiEnv({}, 'db')],
      // Stage 1m's feed: fan-out on write through the PostgreSQL queue, read from the seeded feed_entries
      // plus the celebrity followees' photos. No worker runs: the scenarios only read.
      ['api-queue', apiBundle, apiEnv({ REDIS_URL: `${redis.url}/2`, ...QUEUE_ENV }, 'queue')],
    ];
    if (shardLayout) {
      // Same settings as the one-server twins, but the shard map instead of DATABASE_URL, and
      // their own Redis databases so the twins' caches and sessions stay apart.
      const { DATABASE_URL: _one, ...rest } = apiEnv({}, 'cache-shards');
      const map = shardMapJson(shardLayout.servers, shardLayout.servers.map((s) => s.url));
      specs.push(['api-cache-shards', apiBundle, { ...rest, SHARD_MAP: map, REDIS_URL: `${redis.url}/1` }]);
      const { DATABASE_URL: _two, ...dbRest } = apiEnv({}, 'db-shards');
      specs.push(['api-db-shards', apiBundle, { ...dbRest, SHARD_MAP: map }]);
      const { DATABASE_URL: _three, ...queueRest } = apiEnv({}, 'queue-shards');
      specs.push(['api-queue-shards', apiBundle, { ...queueRest, SHARD_MAP: map, REDIS_URL: `${redis.url}/3`, ...QUEUE_ENV }]);
    }
    const servers: Partial<Record<ServerKey, RunningServer>> = {};
    for (const [key, script, env] of specs) {
      options.log(`starting ${key}`);
      servers[key] = await spawnServer(key, script, env, join(logs, `${key}.log`), {
        onSpawn: (server) => {
          started.push(server);
          ledger.record(key, server.pid);
        },
      });
    }
    // Another process of a server, same script and settings (same databases, Redis and sessions), with Node flags.
    const spawnCopy = async (key: ServerKey, nodeArgs: readonly string[]) => {
      const spec = specs.find(([k]) => k === key);
      if (!spec) throw new Error(`this run did not start ${key}`);
      return spawnServer(`${key} (copy)`, spec[1], spec[2], join(logs, `${key}-copy.log`), {
        nodeArgs,
        onSpawn: (server) => {
          started.push(server);
          ledger.record(`${key} (copy)`, server.pid);
        },
      });
    };
    const postgresPidsFor = (key: ServerKey) => (isSharded(key) ? (shardLayout?.postmasterPids ?? []) : postmasterPid ? [postmasterPid] : []);
    return { seed, databaseUrl: pg.url, servers, postmasterPid, redisPid: redisServerPid(redis.port), hotUserIds, shardLayout, postgresPidsFor, spawnCopy, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
