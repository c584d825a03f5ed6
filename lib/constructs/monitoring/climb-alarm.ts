import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { CLIMB_SUSTAINED_MINUTES, climbCondition, climbTargets } from '../../../stages/climb-signals';
import { crossesStep } from '../../../stages/ladder';
import type { StageSpec } from '../../../stages/stage-spec';
import { RUNBOOKS } from '../../transitions';
import { diskUsedPercent } from './instance-alarms';
import { type AlarmDefinition, graph } from './stage-monitoring';

/** Each point of the sustained hour: every one must breach. */
const POINT = Duration.minutes(5);
const POINTS = CLIMB_SUSTAINED_MINUTES / POINT.toMinutes();

/** What the when-to-climb alarm can watch; the stage's climb signal says which it needs. */
export interface ClimbAlarmProps {
  readonly spec: StageSpec;
  /** The single instance and its data volume's mount point (data-volume-full). */
  readonly instance?: { readonly instanceId: string; readonly dataPath: string };
  /** The fleet's Auto Scaling group (fleet-at-maximum). */
  readonly autoScalingGroupName?: string;
  /** The primaries (database-memory, database-cpu). */
  readonly primaries?: readonly rds.IDatabaseInstance[];
}

/** The deploy that climbs from `from` to `to`: the runbooks it crosses, or the plain deploy when there are none. */
function howToClimb(from: StageSpec, to: StageSpec): string {
  const runbooks = RUNBOOKS.filter((r) => r.steps.some((step) => crossesStep(from.name, to.name, step)));
  if (runbooks.length > 0) return `follow ${runbooks.map((r) => r.file).join(', then ')}`;
  return `npm run review -- --from ${from.name} --to ${to.name}, then npx cdk deploy --all -c stage=${to.name} (no runbook: docs/runbooks/README.md)`;
}

/** The alarm's advice: the next stage by name (from the ladder's order), and the one that lifts the limit when the next does not. */
export function climbAdvice(spec: StageSpec): string {
  const { next, lifts } = climbTargets(spec);
  const grow = RUNBOOKS.find((r) => r.id === 'add-a-primary');
  if (!next) return `Stage ${spec.name} is the top of the ladder: grow within it, add a primary (${grow?.file})`;
  // 1m's limit is the home primaries' memory, which 10m (a second region, not more write capacity) keeps.
  if (!lifts) return `The next stage, ${next.name}, keeps this limit and no stage above lifts it: grow within stage ${spec.name}, add a primary (${grow?.file})`;
  if (lifts === next) return `Climb to stage ${next.name}: ${howToClimb(spec, next)}`;
  return `The next stage, ${next.name}, keeps this limit: climb to stage ${lifts.name}: ${howToClimb(spec, lifts)}`;
}

/**
 * The when-to-climb alarm: the stage's first limit (`npm run plan`, the
 * stage spec's `monitoring.climb`) at 80% for an hour, every 5-minute point
 * of it; its description names the next stage and the runbook to follow.
 * Missing data does not breach: it says nothing about growth (the host
 * alarms cover a silent agent).
 */
export function climbAlarm(props: ClimbAlarmProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const spec = props.spec;
  const condition = climbCondition(spec);
  const metric = watchedMetric(props, condition.kind);
  const description = `When to climb. Stage ${spec.name}: ${condition.text}. ${climbAdvice(spec)}.`;
  return {
    alarms: [
      {
        id: 'WhenToClimb',
        description,
        metric,
        threshold: condition.threshold,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: POINTS,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    ],
    graphs: [graph(`When to climb: ${condition.kind} (alarm at ${condition.threshold})`, [metric])],
  };
}

function watchedMetric(props: ClimbAlarmProps, kind: ReturnType<typeof climbCondition>['kind']): cloudwatch.IMetric {
  const stage = props.spec.name;
  switch (kind) {
    case 'data-volume-full': {
      if (!props.instance) throw new Error(`stage ${stage}: the when-to-climb alarm needs the instance and its data path`);
      return diskUsedPercent({ InstanceId: props.instance.instanceId }, props.instance.dataPath);
    }
    case 'fleet-at-maximum': {
      if (!props.autoScalingGroupName) throw new Error(`stage ${stage}: the when-to-climb alarm needs the fleet's Auto Scaling group`);
      const dimensionsMap = { AutoScalingGroupName: props.autoScalingGroupName };
      return new cloudwatch.MathExpression({
        expression: 'instances * cpu',
        usingMetrics: {
          // Group metrics are on (lib/constructs/compute/api-fleet.ts, groupMetrics).
          instances: new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap, statistic: 'Average', period: POINT }),
          cpu: new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap, statistic: 'Average', period: POINT }),
        },
        label: 'Fleet CPU (in-service instances × average CPU %)',
        period: POINT,
      });
    }
    case 'database-memory':
      return busiestPrimary(props, 'ReadIOPS');
    case 'database-cpu':
      return busiestPrimary(props, 'CPUUtilization');
  }
}

/** One metric of the primaries: the primary's own, or the highest of several. */
function busiestPrimary(props: ClimbAlarmProps, metricName: 'ReadIOPS' | 'CPUUtilization'): cloudwatch.IMetric {
  const stage = props.spec.name;
  const primaries = props.primaries ?? [];
  if (primaries.length === 0) throw new Error(`stage ${stage}: the when-to-climb alarm needs the RDS primaries`);
  const each = primaries.map((p) => p.metric(metricName, { statistic: 'Average', period: POINT }));
  if (each.length === 1) return each[0];
  // An alarm's math may use at most 10 metrics.
  if (each.length > 10) throw new Error(`stage ${stage}: ${each.length} primaries, but an alarm's expression takes at most 10 metrics`);
  return new cloudwatch.MathExpression({
    expression: `MAX([${each.map((_, i) => `p${i}`).join(', ')}])`,
    usingMetrics: Object.fromEntries(each.map((m, i) => [`p${i}`, m])),
    label: `${metricName} of the busiest primary`,
    period: POINT,
  });
}
