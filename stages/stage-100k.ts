import type { StageSpec } from './stage-spec';
import { rds } from './stage-1k';
import { stage10k } from './stage-10k';

/** Cache and read scaling: ElastiCache Redis (cluster mode) and RDS read replicas. */
export const stage100k: StageSpec = {
  ...stage10k,
  name: '100k',
  users: 100_000,
  summary: 'Cache and read scaling: ElastiCache Redis (cluster mode, encrypted, automatic failover) for cache-aside reads and sessions; RDS read replicas take the SELECTs.',
  network: { natGateways: 2 },
  compute: { kind: 'fleet', instanceType: 'c7g.large', rootVolumeGiB: 20, minCapacity: 3, maxCapacity: 12, targetCpuPercent: 50 },
  database: { ...rds(stage10k), instanceClass: 'db.r7g.large', allocatedStorageGiB: 200, maxAllocatedStorageGiB: 2000, readReplicas: 2 },
  cache: { nodeType: 'cache.r7g.large', shards: 2, replicasPerShard: 1, engineVersion: '7.1' },
  monitoring: {
    ...stage10k.monitoring,
    latencyAlarmSeconds: 0.5,
    requests: { windowMinutes: 5, windows: 3, minRequests: 1000, serverErrorPercent: 1 },
    climb: { kind: 'database-memory', readIops: 1000 },
  },
};
