import type { Construct } from 'constructs';
import { StageStack, type StageStackProps } from './stage-stack';
import { AlarmTopic } from '../constructs/monitoring/alarm-topic';

export interface MonitoringStackProps extends StageStackProps {
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/** `<app>-Monitoring`: the alarm topic, the alarms and one dashboard. */
export class MonitoringStack extends StageStack {
  public readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.alarmEmail });
  }
}
