import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { databaseAlarms } from './database-alarms';
import { type AlarmDefinition, graph } from './stage-monitoring';

/** RDS publishes ReplicaLag every minute: the alarm judges each minute's worst. */
const ONE_MINUTE = Duration.minutes(1);
/** Minutes the lag must stay above the threshold: a replica falling behind, not one burst of writes or a vacuum. */
const LAG_MINUTES = 5;

export interface CrossRegionReplicaAlarmsProps {
  /** Construct-ID prefix, the replica's own ID in the second region's Data stack ('Database', 'Shard1Database'). */
  readonly name: string;
  /** The replica, as an instance of this region. */
  readonly replica: rds.IDatabaseInstance;
  /** Where its primary runs (the descriptions name it). */
  readonly sourceRegion: string;
  readonly instanceClass: string;
  /** The primary's allocated storage, which the replica starts with. */
  readonly allocatedStorageGiB: number;
  readonly cpuAlarmPercent: number;
  /** The failover's RPO bound (the second-region spec's `replicaLagAlarmSeconds`). */
  readonly maxLagSeconds: number;
}

/**
 * One cross-region read replica (10m): its CPU, free storage and connections
 * as any instance's (`databaseAlarms`), and its `ReplicaLag` against the
 * failover's RPO bound. The lag alarm treats missing data as breaching: a
 * replica that reports no lag (replication stopped, instance gone) is one
 * whose loss in a failover nobody can bound.
 */
export function crossRegionReplicaAlarms(props: CrossRegionReplicaAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const instance = databaseAlarms({
    name: props.name,
    instance: props.replica,
    replicas: [],
    instanceClass: props.instanceClass,
    allocatedStorageGiB: props.allocatedStorageGiB,
    cpuAlarmPercent: props.cpuAlarmPercent,
    role: `cross-region replica (of the ${props.sourceRegion} primary)`,
  });
  const lag = props.replica.metric('ReplicaLag', { period: ONE_MINUTE, statistic: 'Maximum' });
  return {
    alarms: [
      ...instance.alarms,
      {
        id: `${props.name}ReplicaLag`,
        description:
          `${props.name}: cross-region replica more than ${props.maxLagSeconds} s behind its ${props.sourceRegion} primary for ${LAG_MINUTES} minutes, ` +
          'or reporting no lag: a failover now would lose that many seconds of acknowledged writes (docs/runbooks/failover.md)',
        metric: lag,
        threshold: props.maxLagSeconds,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: LAG_MINUTES,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    ],
    graphs: [...instance.graphs, graph(`${props.name} cross-region lag (s)`, [lag])],
  };
}
