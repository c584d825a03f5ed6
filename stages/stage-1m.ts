import { LOGICAL_SHARDS } from '../contracts/ids';
import type { StageSpec } from './stage-spec';
import { rds } from './stage-1k';
import { stage100k } from './stage-100k';

/** Sharding: logical shards over several RDS primaries; slow work through SQS. */
export const stage1m: StageSpec = {
  ...stage100k,
  name: '1m',
  users: 1_000_000,
  summary: `Sharding: ${LOGICAL_SHARDS} logical shards mapped onto several RDS primaries (each with replicas); every ID carries its shard; slow work (fan-out, thumbnails) goes through SQS.`,
  compute: { kind: 'fleet', instanceType: 'c7g.xlarge', rootVolumeGiB: 20, minCapacity: 6, maxCapacity: 40, targetCpuPercent: 50 },
  database: { ...rds(stage100k), instanceClass: 'db.r7g.xlarge', allocatedStorageGiB: 500, maxAllocatedStorageGiB: 4000, readReplicas: 2, primaries: 4 },
  cache: { ...stage100k.cache!, shards: 4 },
  sharding: { logicalShards: LOGICAL_SHARDS },
  queue: { maxReceiveCount: 5, jobTimeoutSeconds: 20, workerConcurrency: 4 },
};
