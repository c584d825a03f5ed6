import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type AlarmDefinition, graph } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const FIVE_MINUTES = Duration.minutes(5);

export interface CacheAlarmsProps {
  readonly replicationGroupId: string;
  readonly shards: number;
  readonly replicasPerShard: number;
  /** Evictions per 5 minutes on one node that mean the cache is too small. @default 100 */
  readonly maxEvictionsPer5Minutes?: number;
}

/**
 * ElastiCache publishes per node; in cluster mode nodes are named
 * `<group>-<shard 0001..>-<node 001..>`, after the group's generated ID (its
 * `Ref`). Not checked against a real deployment: ElastiCache stores IDs in
 * lower case, so a generated ID with capitals would make these dimensions
 * miss (the alarms would then see no data).
 */
export function cacheNodeIds(replicationGroupId: string, shards: number, replicasPerShard: number): string[] {
  const ids: string[] = [];
  for (let s = 1; s <= shards; s++) {
    for (let n = 1; n <= replicasPerShard + 1; n++) {
      ids.push(`${replicationGroupId}-${String(s).padStart(4, '0')}-${String(n).padStart(3, '0')}`);
    }
  }
  return ids;
}

/** Per node: memory use, evictions and engine CPU. */
export function cacheAlarms(props: CacheAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const maxEvictions = props.maxEvictionsPer5Minutes ?? 100;
  const nodes = cacheNodeIds(props.replicationGroupId, props.shards, props.replicasPerShard).map((id, i) => {
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: id }, statistic, period: FIVE_MINUTES });
    return {
      n: i + 1,
      memory: metric('DatabaseMemoryUsagePercentage', 'Maximum'),
      evictions: metric('Evictions', 'Sum'),
      cpu: metric('EngineCPUUtilization', 'Average'),
    };
  });
  return {
    alarms: nodes.flatMap(({ n, memory, evictions, cpu }) => [
      { id: `Node${n}Memory`, description: `Redis node ${n}: memory above 80%`, metric: memory, threshold: 80, comparison: GT },
      { id: `Node${n}Evictions`, description: `Redis node ${n}: more than ${maxEvictions} evictions in 5 minutes`, metric: evictions, threshold: maxEvictions, comparison: GT, evaluationPeriods: 1 },
      { id: `Node${n}Cpu`, description: `Redis node ${n}: engine CPU above 80%`, metric: cpu, threshold: 80, comparison: GT },
    ]),
    graphs: [
      graph('Redis memory %', nodes.map((x) => x.memory)),
      graph('Redis evictions', nodes.map((x) => x.evictions)),
      graph('Redis engine CPU %', nodes.map((x) => x.cpu)),
    ],
  };
}
