import { climbCondition } from '../../stages/climb-signals';
import type { ClimbSignal, StageSpec } from '../../stages/stage-spec';
import type { Assumptions } from './assumptions';
import { memoryGiB, rdsMaxConnections } from './instance-types';

/** One resource of a stage that runs out as users grow, or a fixed one checked for headroom. */
export interface Limit {
  readonly kind: 'cpu' | 'storage' | 'connections' | 'memory';
  /** What runs out: `data volume (20 GiB EBS)`, `RDS max_connections (225)`, ... */
  readonly resource: string;
  /** Registered users at which it runs out; `Infinity` when it does not grow with users at this stage. */
  readonly users: number;
  /** How the figure comes about: the need per user (or per instance) against what the resource has. */
  readonly detail: string;
  /** What says it is getting close: the alarm or metric to watch. */
  readonly signal: string;
  /** The when-to-climb signal that watches this limit (stages/climb-signals.ts), where there is one. */
  readonly climbSignal?: ClimbSignal['kind'];
}

/**
 * The signal of a limit a when-to-climb alarm can watch: the alarm's own
 * condition when the stage climbs on it (`monitoring.climb`), else `otherwise`.
 */
export function climbSignalText(spec: StageSpec, kind: ClimbSignal['kind'], otherwise: string): string {
  return spec.monitoring.climb.kind === kind ? climbCondition(spec).text : otherwise;
}

/**
 * Size of the instance data volume at stages 10 and 100, where the database
 * has moved to RDS and the volume keeps only photos (the App stack's
 * DEFAULT_DATA_VOLUME_GIB; a test pins it to the templates). At stage 1 the
 * database spec's `volumeGiB` sizes it.
 */
export const INSTANCE_DATA_VOLUME_GIB = 20;

/** PostgreSQL's superuser_reserved_connections (3 on RDS): connections the API can never have. */
const RESERVED_CONNECTIONS = 3;

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** GiB of the instance's data volume where the stage has one (stages 1-100), else undefined. */
export function dataVolumeGiB(spec: StageSpec): number | undefined {
  if (spec.compute.kind !== 'single-instance') return undefined;
  return spec.database.kind === 'on-instance' ? spec.database.volumeGiB : INSTANCE_DATA_VOLUME_GIB;
}

/**
 * Database bytes one registered user adds: their row, photos, follows, likes,
 * a session, and with fan-out on write (a work queue, 1m) one feed entry per
 * photo of each account they follow.
 */
export function databaseBytesPerUser(spec: StageSpec, a: Assumptions): number {
  const row = a.databaseBytesPerRow;
  const feedEntries = spec.queue ? a.storedPhotosPerUser * a.followsPerUser : 0;
  return (
    row.user +
    a.storedPhotosPerUser * row.photo +
    a.followsPerUser * row.follow +
    a.likesPerUser * row.like +
    row.session +
    feedEntries * row.feedEntry
  );
}

/** Photo bytes one user keeps on the instance's data volume (originals only: thumbnails come with S3 at 10k). */
export function photoBytesPerUser(a: Assumptions): number {
  return a.storedPhotosPerUser * a.photoMiB * MIB;
}

function size(bytes: number): string {
  if (bytes >= GIB) return `${Number((bytes / GIB).toPrecision(3))} GiB`;
  if (bytes >= MIB) return `${Number((bytes / MIB).toPrecision(3))} MiB`;
  return `${Number((bytes / 1024).toPrecision(3))} KiB`;
}

/**
 * The limits of a stage other than CPU: disk, connections and memory of each
 * tier. `apiUsers` is what the API tier's CPU holds at the fleet's maximum size:
 * connections grow with the instances, so a connection limit is reported as
 * the users whose load would need more instances than the database admits.
 */
export function nonCpuLimits(spec: StageSpec, a: Assumptions, apiUsers: number): Limit[] {
  const limits: Limit[] = [];
  const dbPerUser = databaseBytesPerUser(spec, a);
  const hotPerUser = dbPerUser * a.databaseHotShare;
  const c = spec.compute;
  const db = spec.database;
  const processes = spec.queue ? 2 : 1; // the worker runs beside the API on every fleet instance at 1m
  const processMiB = a.apiProcessMiB + (spec.queue ? a.workerProcessMiB : 0);

  // Storage.
  const volume = dataVolumeGiB(spec);
  if (volume !== undefined) {
    const perUser = photoBytesPerUser(a) + (db.kind === 'on-instance' ? dbPerUser : 0);
    const holds = db.kind === 'on-instance' ? 'photos and PostgreSQL' : 'photos';
    limits.push({
      kind: 'storage',
      resource: `data volume (${volume} GiB EBS)`,
      users: (volume * GIB) / perUser,
      detail: `${holds}: ${size(perUser)} per user (${a.storedPhotosPerUser} photos × ${a.photoMiB} MiB${db.kind === 'on-instance' ? ` + ${size(dbPerUser)} of database` : ''})`,
      signal: climbSignalText(spec, 'data-volume-full', `the instance's ${a.climbAtShare * 100}%-full alarm on /var/lib/graminsta`),
      climbSignal: 'data-volume-full',
    });
  }
  if (db.kind === 'rds') {
    limits.push({
      kind: 'storage',
      resource: `RDS storage (grows to ${db.maxAllocatedStorageGiB} GiB${db.primaries > 1 ? ` on each of ${db.primaries} primaries` : ''})`,
      users: (db.primaries * db.maxAllocatedStorageGiB * GIB) / dbPerUser,
      detail: `${size(dbPerUser)} of database per user${spec.queue ? ' (feed entries included)' : ''}; billed at ${db.allocatedStorageGiB} GiB until storage autoscaling grows it`,
      signal: 'FreeStorageSpace near the maximum allocated storage (the alarm watches the allocated size)',
    });
  }

  // Connections.
  const instances = c.kind === 'fleet' ? c.maxCapacity : 1;
  const perInstance = processes * a.databasePoolSize;
  if (db.kind === 'on-instance') {
    limits.push({
      kind: 'connections',
      resource: `PostgreSQL max_connections (${a.instancePostgresMaxConnections})`,
      users: perInstance <= a.instancePostgresMaxConnections ? Number.POSITIVE_INFINITY : 0,
      detail: `one API pool of ${a.databasePoolSize}: ${perInstance} of ${a.instancePostgresMaxConnections}, whatever the users`,
      signal: 'none needed',
    });
  } else {
    const max = rdsMaxConnections(db.instanceClass);
    const allowedInstances = Math.floor((max - RESERVED_CONNECTIONS) / perInstance);
    const servers = db.primaries * (1 + db.readReplicas);
    limits.push({
      kind: 'connections',
      resource: `RDS max_connections (${max} on ${db.instanceClass})`,
      users: c.kind === 'fleet' ? (apiUsers * allowedInstances) / instances : perInstance <= max - RESERVED_CONNECTIONS ? Number.POSITIVE_INFINITY : 0,
      detail:
        c.kind === 'fleet'
          ? `${perInstance} per instance on each of the ${servers} database servers (${processes > 1 ? 'API and worker' : 'the API'}, pool of ${a.databasePoolSize}): ${instances * perInstance} at ${instances} instances, room for ${allowedInstances}`
          : `one API pool of ${a.databasePoolSize}: ${perInstance} of ${max}, whatever the users`,
      signal: c.kind === 'fleet' ? `the ${a.climbAtShare * 100}%-of-max_connections alarm, or raising the fleet's maximum past ${allowedInstances}` : 'none needed',
    });
  }
  if (spec.cache) {
    const nodes = spec.cache.shards * (1 + spec.cache.replicasPerShard);
    const allowedInstances = Math.floor(a.redisMaxClients / a.redisConnectionsPerInstanceNode);
    limits.push({
      kind: 'connections',
      resource: `Redis maxclients (${a.redisMaxClients.toLocaleString('en-US')} per node)`,
      users: (apiUsers * allowedInstances) / instances,
      detail: `${a.redisConnectionsPerInstanceNode} per instance on each of ${nodes} nodes: room for ${allowedInstances.toLocaleString('en-US')} instances`,
      signal: 'CurrConnections per node',
    });
  }

  // Memory.
  const instanceMiB = memoryGiB(c.instanceType) * 1024;
  if (db.kind === 'on-instance') {
    const pageCacheMiB = instanceMiB - a.instanceSystemMiB - processMiB - a.instancePostgresMiB;
    limits.push({
      kind: 'memory',
      resource: `instance memory (${memoryGiB(c.instanceType)} GiB ${c.instanceType})`,
      users: pageCacheMiB > 0 ? (pageCacheMiB * MIB) / hotPerUser : 0,
      detail: `${Math.max(0, pageCacheMiB)} MiB left for PostgreSQL's hot data after the system, the API and PostgreSQL itself; ${size(hotPerUser)} hot per user (${a.databaseHotShare * 100}% of the database)`,
      signal: `the ${90}% memory alarm, or rising disk reads on the data volume`,
    });
  } else {
    const usedMiB = a.instanceSystemMiB + processMiB;
    limits.push({
      kind: 'memory',
      resource: `${c.kind === 'fleet' ? 'each fleet instance' : 'instance'} memory (${memoryGiB(c.instanceType)} GiB ${c.instanceType})`,
      users: usedMiB <= instanceMiB ? Number.POSITIVE_INFINITY : 0,
      detail: `system and ${spec.queue ? 'API and worker' : 'the API'}: about ${usedMiB} of ${instanceMiB} MiB, whatever the users (the API keeps no per-user state)`,
      signal: 'the 90% memory alarm',
    });
    const dataMiB = memoryGiB(db.instanceClass) * 1024 * a.rdsDataMemoryShare;
    limits.push({
      kind: 'memory',
      resource: `RDS memory (${memoryGiB(db.instanceClass)} GiB ${db.instanceClass}${db.primaries > 1 ? ` × ${db.primaries} primaries` : ''})`,
      users: (db.primaries * dataMiB * MIB) / hotPerUser,
      detail: `${Math.round(dataMiB)} MiB of data pages per primary (${a.rdsDataMemoryShare * 100}%); ${size(hotPerUser)} hot per user (${a.databaseHotShare * 100}% of the database)`,
      signal: climbSignalText(spec, 'database-memory', 'ReadIOPS climbing while the buffer cache hit ratio falls'),
      climbSignal: 'database-memory',
    });
  }
  if (spec.cache) {
    const usable = spec.cache.shards * memoryGiB(spec.cache.nodeType) * a.cacheUsableShare * GIB;
    limits.push({
      kind: 'memory',
      resource: `Redis memory (${spec.cache.shards} shards × ${memoryGiB(spec.cache.nodeType)} GiB ${spec.cache.nodeType})`,
      users: usable / (a.activeShare * a.cacheBytesPerActiveUser),
      detail: `${a.cacheBytesPerActiveUser} bytes per active user (session, profile, rate limits), ${a.activeShare * 100}% active; ${a.cacheUsableShare * 100}% of each node usable`,
      signal: 'the Redis memory (80%) and evictions alarms',
    });
  }
  return limits;
}
