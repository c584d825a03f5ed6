import type { StageSpec } from './stage-spec';
import { rds } from './stage-1k';
import { stage1m } from './stage-1m';

/**
 * Two regions: the 1m architecture in the home region plus a second, serving
 * region with its own fleet, cache, queue and a cross-region replica of every
 * shard primary; latency DNS with health checks sends users to the nearest
 * healthy region; uploads replicate. Writes go to one home region at a time.
 */
export const stage10m: StageSpec = {
  ...stage1m,
  name: '10m',
  users: 10_000_000,
  summary:
    'Two regions: a second, serving region with its own fleet, Redis, queue and a cross-region replica of every shard primary; latency-based DNS with health checks picks the nearest healthy region; uploads replicate; one home region takes writes at a time, and a tested failover moves it.',
  regions: {
    second: {
      vpcCidr: '10.1.0.0/16',
      natGateways: stage1m.network.natGateways,
      compute: { kind: 'fleet', instanceType: 'c7g.xlarge', rootVolumeGiB: 20, minCapacity: 4, maxCapacity: 40, targetCpuPercent: 50 },
      cache: { ...stage1m.cache! },
      replicaInstanceClass: rds(stage1m).instanceClass,
      // Steady cross-region lag is well under a second (about 40 ms one way between us-east-1 and eu-west-1,
      // docs/runbooks/failover.md); 30 s held for 5 minutes is a replica falling behind, not a burst of writes,
      // and the most a failover then would lose: the same staleness the home replicas alarm at.
      replicaLagAlarmSeconds: 30,
      queue: { ...stage1m.queue! },
      uploadsReplica: { storageClass: 'STANDARD' },
    },
  },
};
