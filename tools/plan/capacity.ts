import type { StageSpec } from '../../stages/stage-spec';
import { type Assumptions, type PerCoreThroughput, REQUEST_KINDS } from './assumptions';
import { sustainedVcpus } from './instance-types';
import { climbSignalText, type Limit, nonCpuLimits } from './limits';

/** One part of a stage that limits how many users it holds. */
export interface TierCapacity {
  readonly tier: 'single-instance' | 'api' | 'db-primary' | 'db-replicas' | 'cache';
  /** What the tier has: core-seconds per second (CPU tiers) or operations per second (cache). */
  readonly capacityPerSecond: number;
  /** What one average API request costs it, in the same unit. */
  readonly costPerRequest: number;
  /** API requests per second the tier sustains: capacity / cost. */
  readonly peakRps: number;
  /** Registered users whose busiest hour fits: peakRps / peak requests per user per second. */
  readonly users: number;
}

export interface CapacityEstimate {
  /** Requests per second one registered user makes in the busiest hour. */
  readonly peakRpsPerUser: number;
  /** The CPU tiers. */
  readonly tiers: readonly TierCapacity[];
  /** The least of the CPU tiers. */
  readonly cpuUsersHeld: number;
  /** The CPU tier that holds the fewest users. */
  readonly bottleneck: TierCapacity['tier'];
  /** Every limit: the CPU tiers, then storage, connections and memory per tier. */
  readonly limits: readonly Limit[];
  /** The limit the stage reaches first (the fewest users). */
  readonly firstLimit: Limit;
  /** The users it holds: those of the first limit. */
  readonly usersHeld: number;
  /** When to climb to the next stage: at `climbAtShare` of the first limit, when its alarm fires. */
  readonly climbAtUsers: number;
  /** Average per-request work, for the report. */
  readonly perRequest: { readonly apiCoreSeconds: number; readonly dbReads: number; readonly dbWrites: number; readonly cacheOps: number };
}

/** Requests per second one registered user makes at the busiest hour. */
export function peakRpsPerUser(a: Assumptions): number {
  return (a.activeShare * a.requestsPerActiveUserPerDay * a.peakToAverage) / 86_400;
}

/** Core-seconds (of the benchmark machine) one average API request costs. */
export function apiCoreSecondsPerRequest(a: Assumptions, perCore: PerCoreThroughput, hasCache: boolean): number {
  const userRead = hasCache ? a.cacheHitRate / perCore.userCached + (1 - a.cacheHitRate) / perCore.userDb : 1 / perCore.userDb;
  const secondsPerKind = {
    userRead,
    feed: 1 / perCore.feed,
    userPhotos: 1 / perCore.userPhotos,
    createPhoto: 1 / perCore.createPhoto,
    login: 1 / perCore.login,
  };
  return REQUEST_KINDS.reduce((sum, kind) => sum + a.mix[kind] * secondsPerKind[kind], 0);
}

/** Database reads/writes and cache operations of one average API request. */
export function dataWorkPerRequest(a: Assumptions, hasCache: boolean): { dbReads: number; dbWrites: number; cacheOps: number } {
  let dbReads = 0;
  let dbWrites = 0;
  let cacheOps = 0;
  for (const kind of REQUEST_KINDS) {
    const share = a.mix[kind];
    const work = a.dbWork[kind];
    const missShare = hasCache && work.cacheable ? 1 - a.cacheHitRate : 1;
    dbReads += share * work.read * missShare;
    dbWrites += share * work.write;
    if (hasCache) {
      // A cacheable read is one GET, plus one SET after each miss; sessions live in Redis.
      if (work.cacheable) cacheOps += share * work.read * (1 + (1 - a.cacheHitRate));
      cacheOps += share * (work.sessionReads + work.sessionWrites);
    } else {
      dbReads += share * work.sessionReads;
      dbWrites += share * work.sessionWrites;
    }
  }
  return { dbReads, dbWrites, cacheOps };
}

function tier(name: TierCapacity['tier'], capacityPerSecond: number, costPerRequest: number, perUser: number): TierCapacity {
  const peakRps = costPerRequest > 0 ? capacityPerSecond / costPerRequest : Number.POSITIVE_INFINITY;
  return { tier: name, capacityPerSecond, costPerRequest, peakRps, users: peakRps / perUser };
}

/** What says a CPU tier is full. */
const CPU_SIGNALS: Readonly<Record<TierCapacity['tier'], string>> = {
  'single-instance': 'the instance CPU alarm (CPU credits running out on a t4g)',
  api: 'the fleet at its maximum size with CPU at its target',
  'db-primary': 'the primary CPU alarm',
  'db-replicas': 'the replicas\' CPU alarms',
  cache: 'the Redis engine CPU alarms',
};

function cpuLimit(spec: StageSpec, t: TierCapacity): Limit {
  const base = {
    kind: 'cpu' as const,
    resource: `${t.tier} CPU`,
    users: t.users,
    detail: `${Math.round(t.peakRps).toLocaleString('en-US')} peak req/s at the planned utilisation`,
  };
  // The fleet's CPU at its maximum size is what the fleet-at-maximum alarm watches.
  if (t.tier === 'api' && spec.compute.kind === 'fleet') return { ...base, signal: climbSignalText(spec, 'fleet-at-maximum', CPU_SIGNALS.api), climbSignal: 'fleet-at-maximum' };
  // The primary's CPU is what the database-cpu alarm watches.
  if (t.tier === 'db-primary') return { ...base, signal: climbSignalText(spec, 'database-cpu', CPU_SIGNALS['db-primary']), climbSignal: 'database-cpu' };
  return { ...base, signal: CPU_SIGNALS[t.tier] };
}

/**
 * How many registered users a stage holds at its busiest hour, and what runs
 * out first. CPU per tier: the fleet at its maximum size and target CPU, the
 * database primaries (writes, and reads when there are no replicas), the
 * replicas (reads), the cache shards. Beside it (tools/plan/limits.ts): the
 * data volume and RDS storage, database and Redis connections, and the memory
 * of each tier.
 */
export function estimateCapacity(spec: StageSpec, a: Assumptions, perCore: PerCoreThroughput): CapacityEstimate {
  const hasCache = spec.cache !== undefined;
  const perUser = peakRpsPerUser(a);
  const apiCoreSeconds = apiCoreSecondsPerRequest(a, perCore, hasCache) / a.cpuSpeedFactor;
  const { dbReads, dbWrites, cacheOps } = dataWorkPerRequest(a, hasCache);
  const dbCoreSecondsReads = dbReads / a.dbReadUnitsPerVcpuSecond;
  const dbCoreSecondsWrites = dbWrites / a.dbWriteUnitsPerVcpuSecond;
  const tiers: TierCapacity[] = [];

  const compute = spec.compute;
  const apiCores =
    compute.kind === 'fleet'
      ? compute.maxCapacity * sustainedVcpus(compute.instanceType) * (compute.targetCpuPercent / 100)
      : sustainedVcpus(compute.instanceType) * a.singleInstanceUtilisation;

  const db = spec.database;
  if (db.kind === 'on-instance') {
    // PostgreSQL shares the instance's CPU with the API.
    tiers.push(tier('single-instance', apiCores, apiCoreSeconds + dbCoreSecondsReads + dbCoreSecondsWrites, perUser));
  } else {
    tiers.push(tier('api', apiCores, apiCoreSeconds, perUser));
    const dbCores = sustainedVcpus(db.instanceClass) * a.dbUtilisation;
    const readsOnPrimary = db.readReplicas === 0;
    tiers.push(tier('db-primary', db.primaries * dbCores, dbCoreSecondsWrites + (readsOnPrimary ? dbCoreSecondsReads : 0), perUser));
    if (!readsOnPrimary) tiers.push(tier('db-replicas', db.primaries * db.readReplicas * dbCores, dbCoreSecondsReads, perUser));
  }
  if (spec.cache) tiers.push(tier('cache', spec.cache.shards * a.cacheOpsPerShardSecond, cacheOps, perUser));

  const least = tiers.reduce((min, t) => (t.users < min.users ? t : min));
  const apiUsers = tiers.find((t) => t.tier === 'api' || t.tier === 'single-instance')!.users;
  const limits = [...tiers.map((t) => cpuLimit(spec, t)), ...nonCpuLimits(spec, a, apiUsers)];
  const first = limits.reduce((min, l) => (l.users < min.users ? l : min));
  return {
    peakRpsPerUser: perUser,
    tiers,
    cpuUsersHeld: least.users,
    bottleneck: least.tier,
    limits,
    firstLimit: first,
    usersHeld: first.users,
    climbAtUsers: first.users * a.climbAtShare,
    perRequest: { apiCoreSeconds, dbReads, dbWrites, cacheOps },
  };
}
