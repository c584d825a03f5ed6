import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { type AlarmDefinition, graph } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
const FIVE_MINUTES = Duration.minutes(5);

/** Memory (GiB) of the RDS classes the stages use: RDS derives max_connections from it. */
const CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
  'db.t4g.micro': 1,
  'db.t4g.small': 2,
  'db.t4g.medium': 4,
  'db.t4g.large': 8,
  'db.r7g.large': 16,
  'db.r7g.xlarge': 32,
  'db.r7g.2xlarge': 64,
};

/**
 * RDS PostgreSQL's default max_connections, LEAST(DBInstanceClassMemory/9531392, 5000).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
 */
export function defaultMaxConnections(instanceClass: string): number {
  const gib = CLASS_MEMORY_GIB[instanceClass];
  if (gib === undefined) throw new Error(`unknown RDS class "${instanceClass}": add its memory to CLASS_MEMORY_GIB`);
  return Math.min(Math.floor((gib * 1024 ** 3) / 9531392), 5000);
}

export interface DatabaseAlarmsProps {
  /** Construct-ID prefix, e.g. 'Database' or 'Shard1Database'. */
  readonly name: string;
  readonly instance: rds.IDatabaseInstance;
  readonly replicas: readonly rds.IDatabaseInstance[];
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly cpuAlarmPercent: number;
  /** Replica lag that makes replica reads too stale. @default 30 seconds */
  readonly maxReplicaLagSeconds?: number;
  /** What `instance` is, as the alarm descriptions name it. @default 'primary' */
  readonly role?: string;
}

/** One primary and its replicas: CPU, free storage, connections, replica lag. */
export function databaseAlarms(props: DatabaseAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const p = props.instance;
  const cpu = p.metricCPUUtilization({ period: FIVE_MINUTES, statistic: 'Average' });
  const free = p.metricFreeStorageSpace({ period: FIVE_MINUTES, statistic: 'Minimum' });
  const connections = p.metricDatabaseConnections({ period: FIVE_MINUTES, statistic: 'Maximum' });
  const maxConnections = defaultMaxConnections(props.instanceClass);
  const maxLag = props.maxReplicaLagSeconds ?? 30;
  // Storage autoscaling grows the volume at 10% free; below 10% of the initial size for long means it cannot.
  const minFreeBytes = props.allocatedStorageGiB * 0.1 * 1024 ** 3;
  const lags = props.replicas.map((r, i) => ({
    i: i + 1,
    cpu: r.metricCPUUtilization({ period: FIVE_MINUTES, statistic: 'Average' }),
    lag: r.metric('ReplicaLag', { period: FIVE_MINUTES, statistic: 'Maximum' }),
  }));
  const n = props.name;
  const role = props.role ?? 'primary';
  return {
    alarms: [
      { id: `${n}Cpu`, description: `${n}: ${role} CPU above ${props.cpuAlarmPercent}% for 15 minutes`, metric: cpu, threshold: props.cpuAlarmPercent, comparison: GT },
      { id: `${n}FreeStorage`, description: `${n}: less than 10% of the allocated storage free`, metric: free, threshold: minFreeBytes, comparison: LT },
      { id: `${n}Connections`, description: `${n}: connections above 80% of max_connections (${maxConnections})`, metric: connections, threshold: Math.floor(maxConnections * 0.8), comparison: GT },
      ...lags.flatMap(({ i, cpu: rcpu, lag }) => [
        { id: `${n}Replica${i}Lag`, description: `${n}: replica ${i} more than ${maxLag} s behind the primary`, metric: lag, threshold: maxLag, comparison: GT },
        { id: `${n}Replica${i}Cpu`, description: `${n}: replica ${i} CPU above ${props.cpuAlarmPercent}% for 15 minutes`, metric: rcpu, threshold: props.cpuAlarmPercent, comparison: GT },
      ]),
    ],
    graphs: [
      graph(`${n} CPU %`, [cpu, ...lags.map((l) => l.cpu)]),
      graph(`${n} connections / free storage`, [connections, free]),
      ...(lags.length ? [graph(`${n} replica lag (s)`, lags.map((l) => l.lag))] : []),
    ],
  };
}
