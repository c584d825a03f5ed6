import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { diskUsedPercent, memUsedPercent } from './instance-alarms';
import { type AlarmDefinition, graph } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const FIVE_MINUTES = Duration.minutes(5);

export interface FleetAlarmsProps {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The load balancer's `LoadBalancerFullName` attribute (its CloudWatch dimension). */
  readonly loadBalancerFullName: string;
  /** The target group's `TargetGroupFullName` attribute. */
  readonly targetGroupFullName: string;
  readonly autoScalingGroupName: string;
  readonly cpuAlarmPercent: number;
  /** p99 target response time that counts as too slow. */
  readonly latencyAlarmSeconds: number;
  /** 5xx responses per 5 minutes that count as an incident. @default 10 */
  readonly max5xxPer5Minutes?: number;
}

/**
 * The fleet: 5xx from the load balancer and from the API, p99 latency,
 * unhealthy targets, and the group's CPU, disk and memory.
 */
export function fleetAlarms(props: FleetAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const m = props.loadBalancer.metrics;
  // Not the target group's own metrics: they name the load balancer by splitting the listener's ARN
  // (Fn::Split), and from another stack that ARN is an Fn::GetStackOutput, which Fn::Split does not
  // take. Both dimensions are attributes the App stack exports as they are.
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-split.html
  // @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
  const targetGroupMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensionsMap: { LoadBalancer: props.loadBalancerFullName, TargetGroup: props.targetGroupFullName },
      statistic,
      period: Duration.minutes(1),
    });
  const max5xx = props.max5xxPer5Minutes ?? 10;
  const elb5xx = m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' });
  const target5xx = m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' });
  const p99 = m.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p99' });
  const requests = m.requestCount({ period: FIVE_MINUTES, statistic: 'Sum' });
  const unhealthy = targetGroupMetric('UnHealthyHostCount', 'Maximum');
  const healthy = targetGroupMetric('HealthyHostCount', 'Minimum');
  const asg = { AutoScalingGroupName: props.autoScalingGroupName };
  const cpu = new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: asg, statistic: 'Average', period: FIVE_MINUTES });
  const disk = diskUsedPercent(asg, '/');
  const mem = memUsedPercent(asg);
  return {
    alarms: [
      { id: 'LoadBalancer5xx', description: `More than ${max5xx} load balancer 5xx in 5 minutes (no healthy target, timeouts)`, metric: elb5xx, threshold: max5xx, comparison: GT, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      { id: 'Api5xx', description: `More than ${max5xx} API 5xx responses in 5 minutes`, metric: target5xx, threshold: max5xx, comparison: GT, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      { id: 'Latency', description: `API p99 latency above ${props.latencyAlarmSeconds} s for 15 minutes`, metric: p99, threshold: props.latencyAlarmSeconds, comparison: GT, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      { id: 'UnhealthyTargets', description: 'An API instance fails the /healthz health check for 5 minutes', metric: unhealthy, threshold: 1, comparison: GTE, evaluationPeriods: 5 },
      { id: 'Cpu', description: `Fleet average CPU above ${props.cpuAlarmPercent}% for 15 minutes (scaling is not keeping up)`, metric: cpu, threshold: props.cpuAlarmPercent, comparison: GT },
      { id: 'RootDisk', description: 'A fleet instance root disk more than 80% full', metric: disk, threshold: 80, comparison: GT, evaluationPeriods: 1 },
      { id: 'Memory', description: 'A fleet instance above 90% memory', metric: mem, threshold: 90, comparison: GT },
    ],
    graphs: [
      graph('Requests and 5xx', [requests, elb5xx, target5xx]),
      graph('API p99 latency (s)', [p99]),
      graph('Healthy / unhealthy targets', [healthy, unhealthy]),
      graph('Fleet CPU %', [cpu]),
      graph('Fleet disk / memory %', [disk, mem]),
    ],
  };
}
