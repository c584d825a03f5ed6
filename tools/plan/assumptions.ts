/**
 * The stated assumptions behind every capacity and usage figure of the plan.
 * They are guesses about user behaviour and hardware, not measurements: the
 * plan prints them next to its table so a reader can disagree with a number.
 */
import type { MeasuredPerCore } from '../../contracts/bench-results';
import { CLIMB_AT_PERCENT } from '../../stages/climb-signals';

/** The API requests the benchmark measures, one per scenario. */
export const REQUEST_KINDS = ['userRead', 'feed', 'userPhotos', 'createPhoto', 'login'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Requests per second one core sustains for each kind (from the benchmark, or the defaults below): the benchmark's own shape. */
export type PerCoreThroughput = MeasuredPerCore;

/**
 * Database work of one request: `read`/`write` in units of one indexed point
 * query / one small committed insert. Session reads and writes go to Redis
 * where the stage has one, else to PostgreSQL.
 */
export interface DbWork {
  readonly read: number;
  readonly write: number;
  readonly sessionReads: number;
  readonly sessionWrites: number;
  /** The reads go through the cache (`user:{id}`) where the stage has one. */
  readonly cacheable: boolean;
}

export interface Assumptions {
  /** Share of registered users active on a given day. */
  readonly activeShare: number;
  /** API requests an active user makes per day (images come from S3/CloudFront, not the API). */
  readonly requestsPerActiveUserPerDay: number;
  /** Busiest-hour request rate over the daily average. */
  readonly peakToAverage: number;
  /** Share of cacheable reads answered by Redis where the stage has a cache. */
  readonly cacheHitRate: number;
  /** Share of API requests of each kind (sums to 1). */
  readonly mix: Readonly<Record<RequestKind, number>>;
  readonly dbWork: Readonly<Record<RequestKind, DbWork>>;
  /** Speed of one cloud vCPU (Graviton) relative to one core of the benchmark machine. */
  readonly cpuSpeedFactor: number;
  /** Average CPU a single instance (API + PostgreSQL) may run at; fleets use their own target. */
  readonly singleInstanceUtilisation: number;
  /** Average CPU a database instance may run at. */
  readonly dbUtilisation: number;
  readonly dbReadUnitsPerVcpuSecond: number;
  readonly dbWriteUnitsPerVcpuSecond: number;
  /** Redis operations per second one shard's primary serves at the planned utilisation. */
  readonly cacheOpsPerShardSecond: number;
  /** Used when no benchmark result exists. */
  readonly defaultPerCore: PerCoreThroughput;
  // Usage (for the monthly bill at the stage's user count)
  /** Photos kept per registered user (a year of uploads at the mix's rate is about 27). */
  readonly storedPhotosPerUser: number;
  readonly photoMiB: number;
  readonly thumbnailMiB: number;
  readonly imagesViewedPerActiveUserPerDay: number;
  /** Average image size served to viewers (thumbnails where the stage makes them). */
  readonly servedImageMiB: number;
  readonly apiResponseKiB: number;
  readonly logBytesPerRequest: number;
  readonly thumbnailSeconds: number;
  /** SQS requests per uploaded photo (send, receive, delete of the thumbnail and fan-out messages). */
  readonly sqsRequestsPerPhoto: number;
  /** Requests one ALB capacity unit (LCU) carries per second: 25 new connections/s at 4 requests each. */
  readonly requestsPerLcuSecond: number;
  /**
   * Size of one RDS Enhanced Monitoring record (OS metrics and the process
   * list, as JSON into CloudWatch Logs); it grows with the connections open.
   */
  readonly enhancedMonitoringKiBPerSample: number;
  /**
   * KMS requests CloudWatch Logs makes per log stream and hour for an
   * encrypted log group (a data key every few minutes per active stream).
   */
  readonly kmsRequestsPerLogStreamHour: number;
  readonly daysPerMonth: number;
  // Limits beside CPU: storage, connections, memory (tools/plan/limits.ts)
  /** Accounts each user follows (the benchmark's data set: 2M follows over 100k users). */
  readonly followsPerUser: number;
  /** Likes each user has given. */
  readonly likesPerUser: number;
  /**
   * On-disk bytes of one row with its index entries, per table (tuple header,
   * columns, each index's entry, pages about 90% full); estimates from the
   * migrations' columns and indexes, not measured.
   */
  readonly databaseBytesPerRow: Readonly<{ user: number; photo: number; follow: number; like: number; session: number; feedEntry: number }>;
  /** Share of the database that must stay in memory (indexes, recent photos, sessions) for reads to stay off the disk. */
  readonly databaseHotShare: number;
  /** Share of an RDS instance's memory that holds data pages (shared_buffers, 25% on RDS, plus the OS page cache). */
  readonly rdsDataMemoryShare: number;
  /** Resident memory of one API process (MiB). */
  readonly apiProcessMiB: number;
  /** Resident memory of one worker process (MiB; 1m runs one beside the API). */
  readonly workerProcessMiB: number;
  /** Memory the OS, the CloudWatch agent and the SSM agent keep on an instance (MiB). */
  readonly instanceSystemMiB: number;
  /** PostgreSQL on the instance apart from the page cache: the default 128 MiB shared_buffers and its backends (MiB). */
  readonly instancePostgresMiB: number;
  /** PostgreSQL on the instance: its default max_connections (the instance sets none). */
  readonly instancePostgresMaxConnections: number;
  /**
   * Connections each API or worker process opens to each database server at
   * most: the API's DATABASE_POOL_SIZE default (api/src/config/env-config.ts),
   * which the stacks do not set.
   */
  readonly databasePoolSize: number;
  /** Redis bytes per active user: session, cached profile, rate-limit counters, key overhead. */
  readonly cacheBytesPerActiveUser: number;
  /** Share of a cache node's memory Redis may fill (ElastiCache reserves 25% by default). */
  readonly cacheUsableShare: number;
  /** Connections one fleet instance (API, its invalidation subscriber, the worker) holds to each Redis node. */
  readonly redisConnectionsPerInstanceNode: number;
  /** ElastiCache's maxclients per node. */
  readonly redisMaxClients: number;
  /** Share of a limit at which to climb to the next stage: where the when-to-climb alarms fire (stages/climb-signals.ts). */
  readonly climbAtShare: number;
  // Cost lines that used to be left out
  /** VPC flow-log bytes per API request: about one 130-byte record per network hop, connections reused (a guess). */
  readonly flowLogBytesPerRequest: number;
  /** Flow-log KiB each instance writes per hour whatever the traffic (agents, DNS, NTP, AWS APIs; 10-minute aggregation). */
  readonly flowLogKiBPerInstanceHour: number;
  /** Share of the data volume's contents written anew per day: each daily snapshot keeps those blocks for the retention. */
  readonly snapshotDailyChangeShare: number;
  // Two regions (10m)
  /** Share of API requests latency DNS sends to the second region (its users' share of the traffic). */
  readonly secondRegionRequestShare: number;
  /** PostgreSQL WAL bytes one write unit ships to each replica (the row, its index entries, the commit record). */
  readonly walBytesPerWriteUnit: number;
  /** Bytes of one write the second region forwards to the home region, request and response together. */
  readonly forwardedWriteKiB: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  activeShare: 0.25,
  requestsPerActiveUserPerDay: 150,
  peakToAverage: 3,
  cacheHitRate: 0.9,
  mix: { userRead: 0.35, feed: 0.35, userPhotos: 0.296, createPhoto: 0.002, login: 0.002 },
  dbWork: {
    userRead: { read: 1, write: 0, sessionReads: 0, sessionWrites: 0, cacheable: true },
    // The feed merges the newest photos of up to a few hundred followed accounts.
    feed: { read: 4, write: 0, sessionReads: 1, sessionWrites: 0, cacheable: false },
    userPhotos: { read: 1, write: 0, sessionReads: 0, sessionWrites: 0, cacheable: false },
    createPhoto: { read: 0, write: 1, sessionReads: 1, sessionWrites: 0, cacheable: false },
    login: { read: 1, write: 0, sessionReads: 0, sessionWrites: 1, cacheable: false },
  },
  cpuSpeedFactor: 0.6,
  singleInstanceUtilisation: 0.5,
  dbUtilisation: 0.6,
  dbReadUnitsPerVcpuSecond: 4000,
  dbWriteUnitsPerVcpuSecond: 1000,
  cacheOpsPerShardSecond: 80_000,
  defaultPerCore: { userCached: 5000, userDb: 2500, feed: 1200, userPhotos: 2000, createPhoto: 1500, login: 20 },
  storedPhotosPerUser: 27,
  photoMiB: 2,
  thumbnailMiB: 0.1,
  imagesViewedPerActiveUserPerDay: 100,
  servedImageMiB: 0.25,
  apiResponseKiB: 4,
  logBytesPerRequest: 400,
  thumbnailSeconds: 1.5,
  sqsRequestsPerPhoto: 9,
  requestsPerLcuSecond: 100,
  enhancedMonitoringKiBPerSample: 12,
  kmsRequestsPerLogStreamHour: 12,
  daysPerMonth: 30.4,
  secondRegionRequestShare: 0.4,
  walBytesPerWriteUnit: 4096,
  forwardedWriteKiB: 4,
  followsPerUser: 20,
  likesPerUser: 50,
  databaseBytesPerRow: { user: 500, photo: 350, follow: 120, like: 120, session: 250, feedEntry: 150 },
  databaseHotShare: 0.3,
  rdsDataMemoryShare: 0.75,
  apiProcessMiB: 300,
  workerProcessMiB: 200,
  instanceSystemMiB: 400,
  instancePostgresMiB: 300,
  instancePostgresMaxConnections: 100,
  databasePoolSize: 10,
  cacheBytesPerActiveUser: 1500,
  cacheUsableShare: 0.75,
  redisConnectionsPerInstanceNode: 3,
  redisMaxClients: 65_000,
  climbAtShare: CLIMB_AT_PERCENT / 100,
  flowLogBytesPerRequest: 400,
  flowLogKiBPerInstanceHour: 50,
  snapshotDailyChangeShare: 0.02,
};

/** Throws a one-line error naming the first bad field; returns the assumptions unchanged. */
export function validateAssumptions(a: Assumptions): Assumptions {
  const shares: Array<[string, number]> = [
    ['activeShare', a.activeShare],
    ['cacheHitRate', a.cacheHitRate],
    ['singleInstanceUtilisation', a.singleInstanceUtilisation],
    ['dbUtilisation', a.dbUtilisation],
    ['databaseHotShare', a.databaseHotShare],
    ['rdsDataMemoryShare', a.rdsDataMemoryShare],
    ['cacheUsableShare', a.cacheUsableShare],
    ['climbAtShare', a.climbAtShare],
    ['snapshotDailyChangeShare', a.snapshotDailyChangeShare],
    ['secondRegionRequestShare', a.secondRegionRequestShare],
  ];
  for (const [name, value] of shares) {
    if (!(value >= 0 && value <= 1)) throw new Error(`assumption ${name} must be between 0 and 1, got ${value}`);
  }
  const positives: Array<[string, number]> = [
    ['requestsPerActiveUserPerDay', a.requestsPerActiveUserPerDay],
    ['peakToAverage', a.peakToAverage],
    ['cpuSpeedFactor', a.cpuSpeedFactor],
    ['dbReadUnitsPerVcpuSecond', a.dbReadUnitsPerVcpuSecond],
    ['dbWriteUnitsPerVcpuSecond', a.dbWriteUnitsPerVcpuSecond],
    ['cacheOpsPerShardSecond', a.cacheOpsPerShardSecond],
    ['requestsPerLcuSecond', a.requestsPerLcuSecond],
    ['enhancedMonitoringKiBPerSample', a.enhancedMonitoringKiBPerSample],
    ['kmsRequestsPerLogStreamHour', a.kmsRequestsPerLogStreamHour],
    ['databasePoolSize', a.databasePoolSize],
    ['instancePostgresMaxConnections', a.instancePostgresMaxConnections],
    ['redisMaxClients', a.redisMaxClients],
    ['cacheBytesPerActiveUser', a.cacheBytesPerActiveUser],
    ['walBytesPerWriteUnit', a.walBytesPerWriteUnit],
    ['forwardedWriteKiB', a.forwardedWriteKiB],
    ...Object.entries(a.databaseBytesPerRow).map(([k, v]): [string, number] => [`databaseBytesPerRow.${k}`, v]),
    ...Object.entries(a.defaultPerCore).map(([k, v]): [string, number] => [`defaultPerCore.${k}`, v]),
  ];
  for (const [name, value] of positives) {
    if (!(value > 0 && Number.isFinite(value))) throw new Error(`assumption ${name} must be a positive number, got ${value}`);
  }
  const total = Object.values(a.mix).reduce((sum, share) => sum + share, 0);
  if (Object.values(a.mix).some((share) => !(share >= 0)) || Math.abs(total - 1) > 1e-9) {
    throw new Error(`assumption mix must be non-negative shares summing to 1, got ${total}`);
  }
  return a;
}
