import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { type AlarmDefinition, graph } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const FIVE_MINUTES = Duration.minutes(5);

export interface QueueAlarmsProps {
  /** Construct-ID prefix. */
  readonly name: string;
  /** The work queue. @default only the dead-letter queue is watched */
  readonly queue?: sqs.IQueue;
  /** Where failed messages land. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Oldest message age that means the worker is not keeping up. @default 15 minutes */
  readonly maxAge?: Duration;
  /**
   * Messages waiting (visible) for 15 minutes that mean work is piling up
   * faster than the workers take it, even while the oldest is still young (a
   * burst of fan-out after a popular account posts). @default 10,000
   */
  readonly maxDepth?: number;
}

/** A message in the dead-letter queue, work waiting too long, or too much work waiting. */
export function queueAlarms(props: QueueAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const dlq = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' });
  const age = props.queue?.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' });
  const depth = props.queue?.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' });
  const maxAge = props.maxAge ?? Duration.minutes(15);
  const maxDepth = props.maxDepth ?? 10_000;
  const n = props.name;
  return {
    alarms: [
      { id: `${n}DeadLetters`, description: `${n}: messages failed every retry and wait in the dead-letter queue`, metric: dlq, threshold: 1, comparison: GTE, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      ...(age
        ? [{ id: `${n}Backlog`, description: `${n}: oldest message older than ${maxAge.toMinutes()} minutes`, metric: age, threshold: maxAge.toSeconds(), comparison: GT }]
        : []),
      ...(depth
        ? [
            {
              id: `${n}Depth`,
              description: `${n}: more than ${maxDepth.toLocaleString('en-US')} messages waiting for 15 minutes`,
              metric: depth,
              threshold: maxDepth,
              comparison: GT,
              treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            },
          ]
        : []),
    ],
    graphs: [
      graph(`${n} queue: dead letters, oldest age (s)`, [dlq, ...(age ? [age] : [])]),
      ...(depth ? [graph(`${n} queue: messages waiting`, [depth])] : []),
    ],
  };
}
