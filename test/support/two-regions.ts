/**
 * Two "regions" of stage 10m on loopback, for the tests of the failover tool,
 * the drills and the API's cross-region behaviour (docs/runbooks/failover.md).
 *
 * What runs (all real servers, bounded, removed by `stop()` or, if the test
 * process dies, by each server's guardian):
 * - region A (home at the start): one PostgreSQL primary per shard
 *   (`a.nodes[i]`, Debian's PostgreSQL: see streaming-postgres.ts);
 * - region B: a streaming replica of each primary (`b.nodes[i]`,
 *   `pg_basebackup -R`), streaming across the "ocean";
 * - a Redis per region (`a.redis`, `b.redis`);
 * - the "ocean": a delay proxy (delay-proxy.ts) in front of every server that
 *   the other region reaches, adding `delayMs` each way: B's replicas stream
 *   from A through `toA[i]`, B reaches A's primaries through `toA[i]`, and each
 *   region's API is reached by the other through `apiProxy[region]` (the
 *   `apiUrl` of the region configuration);
 * - SSM Parameter Store (ssm-stand-in.ts), one endpoint holding each region's
 *   own copy of the region configuration under REGION_CONFIG_PARAMETER (home
 *   A, epoch 1 at the start);
 * - on request, the latency router (latency-router.ts): a client near a region
 *   enters at `router.entryFor(region)` and is sent to that region's API, or
 *   to the other while that one fails `/readyz`.
 *
 * The API of each region is started by the caller's function (`startApis`),
 * on the port fixed for it in advance (`region.apiPort`, named in the region
 * configuration), with `env(region)`:
 * - PORT, HOST: `region.apiPort` on 127.0.0.1;
 * - REDIS_URL: the region's Redis;
 * - SHARD_MAP (`shardMap(region)`): `primary-<i>` per shard, even ranges,
 *   `url` the region's own server (A's primaries in A; B's local replicas in
 *   B, which it reads while A is home and writes once promoted), no
 *   `replicaUrls`: the API's layout, as the second region's map on AWS names
 *   its local replicas (docs/region-routing.md). `failoverMap(region)` is the
 *   failover tool's view: home's primary through the ocean as `url` and the
 *   region's server as its one replica. (`databases(region)` gives the home
 *   and local URLs per shard.)
 * - AWS_REGION, AWS_ENDPOINT_URL_SSM and stand-in credentials (the SSM client
 *   signs for the region, which selects that region's parameters), and
 *   REGION_CONFIG_PARAMETER: the parameter's name.
 *
 * Faults: `killRegion(name)` is a region lost (its PostgreSQL servers
 * SIGKILLed, its Redis killed, its API killed when the start function gave
 * `kill`, its SSM unreachable, the bytes still crossing the ocean from it
 * dropped). `partition()` cuts the ocean (both regions
 * alive). `rebuildAsReplicas(name)` replaces a region's servers with fresh
 * streaming replicas of the other region's (the failback's first step).
 */
import { createConnection } from 'node:net';
import { REGION_NAME, type RegionConfig } from '../../contracts/region-config';
import { LOGICAL_SHARDS } from '../../contracts/ids';
import { evenShardRanges, primaryName, type ShardMapSpec } from '../../contracts/shard-map';
import { startDelayProxy, type DelayProxy } from './delay-proxy';
import { freePort } from './free-port';
import { startLatencyRouter, type LatencyRouter, type LatencyRouterOptions } from './latency-router';
import { startRedis, type TestRedis } from './redis';
import { SsmStandIn } from './ssm-stand-in';
import { startPrimary, startReplica, type PgNode } from './streaming-postgres';

/** The SSM parameter name both regions' copies of the region configuration have. */
export const TEST_REGION_CONFIG_PARAMETER = '/graminsta/test/region-config';

export interface TwoRegionsOptions {
  /** Shards (primaries in A, replicas in B); at least two. @default 2 */
  readonly shards?: number;
  /** One-way delay between the regions, in ms (a round trip costs twice). @default 0 */
  readonly delayMs?: number;
  /** The regions' names, home first. @default ['region-a', 'region-b'] */
  readonly names?: readonly [string, string];
  /** Every server accepts TLS as well (streaming-postgres.ts `tls`), as RDS does: for clients on an RDS secret's settings. @default false */
  readonly tls?: boolean;
}

/** One region's servers. `nodes` change when a region is rebuilt. */
export interface TestRegion {
  readonly name: string;
  readonly redis: TestRedis;
  /** The loopback port this region's API listens on (fixed in advance: the region configuration names it). */
  readonly apiPort: number;
  /** `http://127.0.0.1:<apiPort>`: the API as seen from inside the region. */
  readonly apiUrl: string;
  /** One PostgreSQL server per shard, in shard order. */
  readonly nodes: readonly PgNode[];
}

/** The database URLs a region's API uses, per shard. */
export interface RegionDatabases {
  /** The home region's primaries as this region reaches them (through the ocean from the other region). */
  readonly home: readonly string[];
  /** This region's own servers (the primaries in the home region, the replicas elsewhere). */
  readonly local: readonly string[];
}

/** An API process of one region, as the caller's start function returns it. */
export interface RegionApi {
  readonly url: string;
  stop(): Promise<void>;
  /** SIGKILL (used by `killRegion`; without it the API is stopped gracefully). */
  kill?(): Promise<void>;
}

/** What the caller's start function gets for one region. */
export interface RegionApiSetup {
  readonly name: string;
  readonly port: number;
  readonly env: Record<string, string>;
}

export interface TwoRegions {
  readonly a: TestRegion;
  readonly b: TestRegion;
  readonly ssm: SsmStandIn;
  readonly delayMs: number;
  /** Which region is home according to the harness (its start, then `setHome`): decides `databases().home`. */
  readonly home: string;
  /** The region configuration written at the start (home A, epoch 1). */
  readonly initialConfig: RegionConfig;
  /** The ocean in front of the region's servers, per shard: how the other region reaches them. */
  oceanTo(region: string): readonly DelayProxy[];
  /** The ocean in front of the region's API (its `apiUrl` in the region configuration). */
  apiProxy(region: string): DelayProxy;
  region(name: string): TestRegion;
  other(name: string): TestRegion;
  databases(region: string): RegionDatabases;
  /** The region's API's map: its own server per shard as the primary (see the file comment). */
  shardMap(region: string): ShardMapSpec;
  /**
   * What `npm run failover` takes here: per shard, home's primary (through the
   * ocean from another region) as `url` and the region's server as its only
   * replica. (On AWS the tool reads the same facts from the region's own map:
   * each entry's secret names home's primary, its `host` the local server.)
   */
  failoverMap(region: string): ShardMapSpec;
  env(region: string): Record<string, string>;
  /** After a failover: the harness's idea of home (for `databases`), nothing else changes. */
  setHome(region: string): void;
  startApis(start: (setup: RegionApiSetup) => Promise<RegionApi>): Promise<void>;
  api(region: string): RegionApi | undefined;
  /** Starts (once) the latency router over both regions' APIs. */
  startRouter(options?: Omit<LatencyRouterOptions, 'regions'>): Promise<LatencyRouter>;
  killRegion(name: string): Promise<void>;
  partition(): void;
  heal(): void;
  /** Replaces the region's servers with new streaming replicas of the other region's (old files removed). */
  rebuildAsReplicas(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startTwoRegions(options: TwoRegionsOptions = {}): Promise<TwoRegions> {
  const shards = options.shards ?? 2;
  const delayMs = options.delayMs ?? 0;
  const [nameA, nameB] = options.names ?? ['region-a', 'region-b'];
  const server = { tls: options.tls ?? false };
  if (!Number.isInteger(shards) || shards < 2) throw new Error(`shards must be a whole number ≥ 2, got ${shards}`);
  for (const name of [nameA, nameB]) if (!REGION_NAME.test(name)) throw new Error(`region name ${name} is not a region name`);
  if (nameA === nameB) throw new Error('the two regions need different names');

  // Everything started so far, stopped in reverse on failure or at stop().
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
    if (errors.length) throw errors[0];
  };
  try {
    const ssm = await SsmStandIn.start();
    cleanups.push(() => ssm.stop());
    const [redisA, redisB] = await Promise.all([startRedis(), startRedis()]);
    cleanups.push(() => redisA.stop(), () => redisB.stop());

    const nodes = new Map<string, PgNode[]>([[nameA, []], [nameB, []]]);
    cleanups.push(async () => {
      await Promise.all([...nodes.values()].flat().map((node) => node.stop()));
    });
    nodes.get(nameA)!.push(...(await Promise.all(Array.from({ length: shards }, () => startPrimary(server)))));
    const ocean = new Map<string, DelayProxy[]>();
    for (const name of [nameA, nameB]) {
      const list: DelayProxy[] = [];
      ocean.set(name, list);
      cleanups.push(async () => {
        await Promise.all(list.map((proxy) => proxy.stop()));
      });
    }
    // The proxies in front of B's servers point at a port nobody listens on until B has servers of its own.
    for (let i = 0; i < shards; i++) {
      ocean.get(nameA)!.push(await startDelayProxy(nodes.get(nameA)![i].port, { delayMs }));
      ocean.get(nameB)!.push(await startDelayProxy(await freePort(), { delayMs }));
    }
    nodes.get(nameB)!.push(...(await Promise.all(nodes.get(nameA)!.map((_, i) => startReplica(ocean.get(nameA)![i].rewrite(nodes.get(nameA)![i].url), server)))));
    nodes.get(nameB)!.forEach((node, i) => ocean.get(nameB)![i].retarget(node.port));

    const apiPorts = new Map([
      [nameA, await freePort()],
      [nameB, await freePort()],
    ]);
    const apiProxies = new Map<string, DelayProxy>();
    for (const name of [nameA, nameB]) {
      const proxy = await startDelayProxy(apiPorts.get(name)!, { delayMs });
      apiProxies.set(name, proxy);
      cleanups.push(() => proxy.stop());
    }
    const initialConfig: RegionConfig = {
      home: nameA,
      epoch: 1,
      regions: [nameA, nameB].map((name) => ({ name, apiUrl: `http://127.0.0.1:${apiProxies.get(name)!.port}` })),
    };
    for (const name of [nameA, nameB]) ssm.put(name, TEST_REGION_CONFIG_PARAMETER, JSON.stringify(initialConfig));

    const regions = new Map<string, TestRegion>();
    for (const [name, redis] of [
      [nameA, redisA],
      [nameB, redisB],
    ] as const) {
      const port = apiPorts.get(name)!;
      regions.set(name, {
        name,
        redis,
        apiPort: port,
        apiUrl: `http://127.0.0.1:${port}`,
        get nodes() {
          return nodes.get(name)!;
        },
      });
    }
    const known = (name: string) => {
      const region = regions.get(name);
      if (!region) throw new Error(`no region ${name} (regions: ${nameA}, ${nameB})`);
      return region;
    };
    const otherName = (name: string) => (known(name).name === nameA ? nameB : nameA);
    let home = nameA;
    const apis = new Map<string, RegionApi>();
    cleanups.push(async () => {
      await Promise.all([...apis.values()].map((api) => api.stop()));
    });
    let router: LatencyRouter | undefined;

    const databases = (name: string): RegionDatabases => {
      const local = known(name).nodes.map((node) => node.url);
      const homeUrls = name === home ? local : known(home).nodes.map((node, i) => ocean.get(home)![i].rewrite(node.url));
      return { home: homeUrls, local };
    };
    const shardMap = (name: string): ShardMapSpec => {
      const ranges = evenShardRanges(shards);
      return {
        logicalShards: LOGICAL_SHARDS,
        primaries: databases(name).local.map((url, i) => ({ name: primaryName(i), url, replicaHosts: [], replicaUrls: [], shards: [ranges[i]] })),
      };
    };
    const failoverMap = (name: string): ShardMapSpec => {
      const { home: homeUrls, local } = databases(name);
      const ranges = evenShardRanges(shards);
      return {
        logicalShards: LOGICAL_SHARDS,
        primaries: homeUrls.map((url, i) => ({
          name: primaryName(i),
          url,
          replicaHosts: [],
          replicaUrls: name === home ? [] : [local[i]],
          shards: [ranges[i]],
        })),
      };
    };
    const env = (name: string): Record<string, string> => ({
      PORT: String(known(name).apiPort),
      HOST: '127.0.0.1',
      REDIS_URL: known(name).redis.url,
      SHARD_MAP: JSON.stringify(shardMap(name)),
      REGION_CONFIG_PARAMETER: TEST_REGION_CONFIG_PARAMETER,
      ...ssm.environment(name),
    });

    const harness: TwoRegions = {
      a: known(nameA),
      b: known(nameB),
      ssm,
      delayMs,
      get home() {
        return home;
      },
      initialConfig,
      oceanTo: (name) => ocean.get(known(name).name)!,
      apiProxy: (name) => apiProxies.get(known(name).name)!,
      region: known,
      other: (name) => known(otherName(name)),
      databases,
      shardMap,
      failoverMap,
      env,
      setHome: (name) => {
        home = known(name).name;
      },
      startApis: async (start) => {
        const started = await Promise.allSettled(
          [nameA, nameB].map(async (name) => {
            const api = await start({ name, port: known(name).apiPort, env: env(name) });
            apis.set(name, api);
          }),
        );
        const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
        if (failed) throw failed.reason;
      },
      api: (name) => apis.get(known(name).name),
      startRouter: async (routerOptions = {}) => {
        if (router) return router;
        router = await startLatencyRouter({ ...routerOptions, regions: [nameA, nameB].map((name) => ({ name, url: apis.get(name)?.url ?? known(name).apiUrl })) });
        const started = router;
        cleanups.push(() => started.stop());
        return router;
      },
      killRegion: async (name) => {
        const region = known(name);
        ssm.setReachable(region.name, false);
        // Bytes on their way out of the region are lost with it (the proxies would otherwise deliver what they hold).
        for (const proxy of [...ocean.get(region.name)!, apiProxies.get(region.name)!]) proxy.cut();
        const api = apis.get(region.name);
        await Promise.all([...region.nodes.map((node) => node.kill()), region.redis.kill(), api ? (api.kill ?? api.stop)() : Promise.resolve()]);
      },
      partition: () => {
        for (const proxy of [...ocean.values()].flat().concat([...apiProxies.values()])) proxy.cut();
      },
      heal: () => {
        for (const proxy of [...ocean.values()].flat().concat([...apiProxies.values()])) proxy.restore();
      },
      rebuildAsReplicas: async (name) => {
        const region = known(name);
        const source = otherName(name);
        const old = nodes.get(region.name)!;
        await Promise.all(old.map((node) => node.stop()));
        old.length = 0;
        // The replicas stream from the other region across the ocean, as an RDS cross-region replica does.
        const fresh = await Promise.all(known(source).nodes.map((node, i) => startReplica(ocean.get(source)![i].rewrite(node.url), server)));
        old.push(...fresh);
        fresh.forEach((node, i) => ocean.get(region.name)![i].retarget(node.port));
        for (const proxy of [...ocean.get(region.name)!, apiProxies.get(region.name)!]) proxy.restore();
        ssm.setReachable(region.name, true);
        if (!(await redisAnswers(region.redis))) await region.redis.start();
      },
      stop: stopAll,
    };
    return harness;
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** Whether a Redis answers a connection (a killed one is started again by a rebuild). */
async function redisAnswers(redis: TestRedis): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: redis.port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
