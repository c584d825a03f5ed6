import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { API_METRICS_NAMESPACE, ROUTE_DIMENSION } from '../../../contracts/api-metrics';

/** Dashboard graphs' period; `PeriodOverride.AUTO` widens it for long time ranges. */
export const API_GRAPH_PERIOD = Duration.minutes(5);

/**
 * One of the API's EMF metrics for the whole API: the dimensionless set `[]`
 * the API publishes beside `[Route]` (api/src/metrics/emf.ts), so an alarm
 * sees every instance and route as one series without a SEARCH.
 */
export function apiMetric(metricName: string, statistic: string, period: Duration = API_GRAPH_PERIOD, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: API_METRICS_NAMESPACE, metricName, statistic, period, label });
}

/**
 * One series per route: a CloudWatch SEARCH over the `Route` dimension, for
 * graphs only (alarms cannot use SEARCH). The routes are the API's route
 * templates, known only when requests arrive, so they cannot be listed at
 * synth time.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-search-expressions.html
 */
export function perRoute(metricName: string, statistic: string, period: Duration = API_GRAPH_PERIOD): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${API_METRICS_NAMESPACE},${ROUTE_DIMENSION}} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: '',
    period,
  });
}
