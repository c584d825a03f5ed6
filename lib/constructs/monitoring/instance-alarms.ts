import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type AlarmDefinition, graph } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

/** Disk usage in percent (CloudWatch agent), of one mount point, aggregated by `dimension`. */
export function diskUsedPercent(dimension: Record<string, string>, path: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'CWAgent',
    metricName: 'disk_used_percent',
    dimensionsMap: { ...dimension, path },
    statistic: 'Maximum',
    period: Duration.minutes(5),
  });
}

/** Memory usage in percent (CloudWatch agent). */
export function memUsedPercent(dimension: Record<string, string>): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'CWAgent',
    metricName: 'mem_used_percent',
    dimensionsMap: dimension,
    statistic: 'Maximum',
    period: Duration.minutes(5),
  });
}

export interface InstanceAlarmsProps {
  readonly instanceId: string;
  readonly cpuAlarmPercent: number;
  /** Mount points to watch besides `/` (the data volume). */
  readonly dataPaths: readonly string[];
}

/** The single instance: CPU, failed status checks (instance or system), disk and memory. */
export function instanceAlarms(props: InstanceAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const dims = { InstanceId: props.instanceId };
  const ec2Metric = (metricName: string, statistic: string, period = Duration.minutes(5)) =>
    new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName, dimensionsMap: dims, statistic, period });
  const cpu = ec2Metric('CPUUtilization', 'Average');
  const status = ec2Metric('StatusCheckFailed', 'Maximum', Duration.minutes(1));
  const disks = ['/', ...props.dataPaths].map((path) => ({ path, metric: diskUsedPercent(dims, path) }));
  const mem = memUsedPercent(dims);
  return {
    alarms: [
      { id: 'Cpu', description: `API instance CPU above ${props.cpuAlarmPercent}% for 15 minutes`, metric: cpu, threshold: props.cpuAlarmPercent, comparison: GT },
      {
        id: 'StatusCheck',
        description: 'API instance or its host fails EC2 status checks',
        metric: status,
        threshold: 1,
        comparison: GTE,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      ...disks.map(({ path, metric }) => ({
        id: path === '/' ? 'RootDisk' : 'DataDisk',
        description: `API instance disk ${path} more than 80% full`,
        metric,
        threshold: 80,
        comparison: GT,
        evaluationPeriods: 1,
      })),
      { id: 'Memory', description: 'API instance memory above 90%', metric: mem, threshold: 90, comparison: GT },
    ],
    graphs: [graph('API instance CPU %', [cpu]), graph('Disk used %', disks.map((d) => d.metric)), graph('Memory used %', [mem])],
  };
}
