import type { StageSpec } from '../../stages/stage-spec';
import type { Assumptions, PerCoreThroughput } from './assumptions';
import { type CapacityEstimate, estimateCapacity } from './capacity';
import { type MonthlyCost, monthlyCost } from './cost-model';
import type { PriceTable } from './price-table';

/** One row of the capacity table: what a stage provisions, what it costs, how many users it holds. */
export interface StagePlan {
  readonly stage: string;
  readonly label: number;
  readonly resources: readonly string[];
  readonly cost: MonthlyCost;
  readonly capacity: CapacityEstimate;
}

/** Human-readable list of what a stage provisions (instance types and counts, RDS, replicas, cache, shards). */
export function describeResources(spec: StageSpec): string[] {
  const out: string[] = [spec.edge.firewall ? 'CloudFront (HTTPS, AWS WAF)' : 'CloudFront (HTTPS)'];
  const c = spec.compute;
  if (c.kind === 'single-instance') out.push(`1 × EC2 ${c.instanceType}`);
  else out.push(`${c.minCapacity}–${c.maxCapacity} × EC2 ${c.instanceType} (ASG behind an internal ALB, ${c.targetCpuPercent}% CPU target)`);
  const db = spec.database;
  if (db.kind === 'on-instance') out.push(`PostgreSQL on the instance (${db.volumeGiB} GiB EBS)`);
  else {
    const primaries = db.primaries > 1 ? `${db.primaries} × ` : '';
    const replicas = db.readReplicas > 0 ? ` + ${db.readReplicas} read replica${db.readReplicas > 1 ? 's' : ''}${db.primaries > 1 ? ' each' : ''}` : '';
    out.push(`RDS ${primaries}${db.instanceClass}${db.multiAz ? ' Multi-AZ' : ''}${replicas} (${db.allocatedStorageGiB} GiB)`);
  }
  if (spec.network.natGateways > 0) out.push(`${spec.network.natGateways} NAT gateway${spec.network.natGateways > 1 ? 's' : ''}`);
  if (spec.cache) {
    out.push(`ElastiCache ${spec.cache.nodeType}: ${spec.cache.shards} shards × ${1 + spec.cache.replicasPerShard} nodes`);
  }
  if (spec.site) out.push('S3 web client');
  if (spec.uploads) out.push(`S3 uploads${spec.uploads.viaCdn ? ' via CloudFront' : ''}${spec.uploads.thumbnails ? ', thumbnail Lambda' : ''}`);
  if (spec.sharding) out.push(`${spec.sharding.logicalShards} logical shards`);
  if (spec.queue) out.push('SQS queue + worker');
  const second = spec.regions?.second;
  if (second && spec.database.kind === 'rds') {
    out.push(
      `second region: ${second.compute.minCapacity}–${second.compute.maxCapacity} × EC2 ${second.compute.instanceType}, ${spec.database.primaries} cross-region RDS replicas ${second.replicaInstanceClass}, ElastiCache ${second.cache.nodeType}: ${second.cache.shards} shards × ${1 + second.cache.replicasPerShard} nodes, SQS queue + worker, uploads replica; latency DNS with health checks`,
    );
  }
  return out;
}

/** The plan of every given stage under one set of prices, assumptions and throughput figures. */
export function planStages(
  stages: readonly StageSpec[],
  prices: PriceTable,
  assumptions: Assumptions,
  perCore: PerCoreThroughput,
): StagePlan[] {
  return stages.map((spec) => ({
    stage: spec.name,
    label: spec.users,
    resources: describeResources(spec),
    cost: monthlyCost(spec, { prices, assumptions }),
    capacity: estimateCapacity(spec, assumptions, perCore),
  }));
}
