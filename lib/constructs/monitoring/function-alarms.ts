import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { type AlarmDefinition, graph } from './stage-monitoring';

const FIVE_MINUTES = Duration.minutes(5);

export interface FunctionAlarmsProps {
  /** Construct-ID prefix and the name in descriptions, e.g. 'Thumbnails'. */
  readonly name: string;
  readonly function: lambda.IFunction;
  /** Invocation errors per 5 minutes that count as an incident. @default 5 */
  readonly maxErrorsPer5Minutes?: number;
}

/**
 * A Lambda function whose errors matter: invocation errors (after which Lambda
 * retries; what still fails lands in the function's failure queue, watched by
 * `queueAlarms`), graphed with its throttles.
 */
export function functionAlarms(props: FunctionAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const errors = props.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
  const throttles = props.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' });
  const maxErrors = props.maxErrorsPer5Minutes ?? 5;
  return {
    alarms: [
      {
        id: 'Errors',
        description: `${props.name} function: more than ${maxErrors} errors in 5 minutes`,
        metric: errors,
        threshold: maxErrors,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    ],
    graphs: [graph(`${props.name} errors / throttles`, [errors, throttles])],
  };
}
