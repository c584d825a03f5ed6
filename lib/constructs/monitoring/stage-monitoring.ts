import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface StageMonitoringProps {
  /** Every alarm notifies this topic (alarm and back to OK). */
  readonly topic: sns.ITopic;
  /** The dashboard's heading line, e.g. the stage summary. */
  readonly title: string;
}

/** One alarm as the service-specific helpers describe it. */
export interface AlarmDefinition {
  /** Stable construct ID, PascalCase. */
  readonly id: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** @default 3 */
  readonly evaluationPeriods?: number;
  /** @default cloudwatch.TreatMissingData.MISSING */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/**
 * The stage's alarms and its single dashboard. Service helpers
 * (`instance-alarms.ts`, `database-alarms.ts`, ...) describe alarms and graphs;
 * this class creates them, wires them to the topic and lays out the dashboard:
 * an alarm-status row first, then one row of graphs per service.
 */
export class StageMonitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly topic: sns.ITopic;
  private readonly rows: cloudwatch.IWidget[][] = [];

  constructor(scope: Construct, id: string, props: StageMonitoringProps) {
    super(scope, id);
    this.topic = props.topic;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `# Graminsta\n${props.title}`, width: 24, height: 2 }));
  }

  /** Creates the alarms of one service under `scope` (a construct ID) and adds its graphs as a dashboard row. */
  public addService(scope: string, alarms: readonly AlarmDefinition[], graphs: readonly cloudwatch.IWidget[]): void {
    const parent = new Construct(this, scope);
    for (const def of alarms) {
      const alarm = new cloudwatch.Alarm(parent, def.id, {
        alarmDescription: def.description,
        metric: def.metric,
        threshold: def.threshold,
        comparisonOperator: def.comparison,
        evaluationPeriods: def.evaluationPeriods ?? 3,
        treatMissingData: def.treatMissingData ?? cloudwatch.TreatMissingData.MISSING,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(alarm);
    }
    if (graphs.length > 0) this.rows.push([...graphs]);
  }

  /** Lays out the dashboard; call once, after every service was added. */
  public finish(): void {
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: Math.min(2 + Math.ceil(this.alarms.length / 4), 10) }),
    );
    for (const row of this.rows) this.dashboard.addWidgets(...row);
  }
}

/** A 5-minute metric graph of a third of the dashboard's width. */
export function graph(title: string, metrics: cloudwatch.IMetric[], region?: string): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 8, height: 6, region });
}
