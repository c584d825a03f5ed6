import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { REQUEST_METRICS } from '../../../contracts/api-metrics';
import type { RequestAlarmSpec } from '../../../stages/stage-spec';
import { apiMetric, perRoute } from './api-metric';
import type { AlarmDefinition } from './stage-monitoring';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

export interface ApiRequestAlarmsProps {
  /** The stage's p99 target. */
  readonly latencyAlarmSeconds: number;
  /** Windows, low-traffic guard and 5xx target. */
  readonly requests: RequestAlarmSpec;
}

/**
 * The API's request figures, from its own EMF metrics (every stage: the agent
 * ships the API's log at every stage): p99 latency and the 5xx rate against
 * the stage's targets, and the request section of the dashboard (totals,
 * p50/p90/p99, 4xx/5xx, and per route through SEARCH).
 *
 * Both alarms read 0 in a window with fewer than `minRequests` requests, and
 * no data (an idle API publishes nothing) never breaches: quiet hours do not
 * page.
 */
export function apiRequestAlarms(props: ApiRequestAlarmsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const r = props.requests;
  const window = Duration.minutes(r.windowMinutes);
  const requests = apiMetric(REQUEST_METRICS.requests, 'Sum', window);
  const targetMs = props.latencyAlarmSeconds * 1000;
  const judged = `${r.windows} window${r.windows > 1 ? 's' : ''} of ${r.windowMinutes} minutes with at least ${r.minRequests} requests`;
  const p99 = new cloudwatch.MathExpression({
    expression: `IF(requests >= ${r.minRequests}, p99, 0)`,
    usingMetrics: { requests, p99: apiMetric(REQUEST_METRICS.latency, 'p99', window) },
    label: 'API p99 latency (ms), judged windows',
    period: window,
  });
  const errorRate = new cloudwatch.MathExpression({
    expression: `IF(requests >= ${r.minRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    usingMetrics: { requests, errors: apiMetric(REQUEST_METRICS.status5xx, 'Sum', window) },
    label: 'API 5xx % of requests, judged windows',
    period: window,
  });
  const notBreaching = cloudwatch.TreatMissingData.NOT_BREACHING;

  const totals = [apiMetric(REQUEST_METRICS.requests, 'Sum'), apiMetric(REQUEST_METRICS.status4xx, 'Sum'), apiMetric(REQUEST_METRICS.status5xx, 'Sum')];
  const percentiles = ['p50', 'p90', 'p99'].map((p) => apiMetric(REQUEST_METRICS.latency, p, undefined, `Latency ${p}`));
  const widget = (title: string, left: cloudwatch.IMetric[], annotation?: cloudwatch.HorizontalAnnotation) =>
    new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, leftAnnotations: annotation ? [annotation] : undefined });
  return {
    alarms: [
      {
        id: 'P99Latency',
        description: `API p99 latency (its own Latency metric, whole API) above ${targetMs} ms in ${judged}`,
        metric: p99,
        threshold: targetMs,
        comparison: GT,
        evaluationPeriods: r.windows,
        treatMissingData: notBreaching,
      },
      {
        id: 'ServerErrorRate',
        description: `API 5xx answers above ${r.serverErrorPercent}% of requests in ${judged}`,
        metric: errorRate,
        threshold: r.serverErrorPercent,
        comparison: GT,
        evaluationPeriods: r.windows,
        treatMissingData: notBreaching,
      },
    ],
    graphs: [
      new cloudwatch.TextWidget({ markdown: '## Requests (the API\'s EMF metrics, `Graminsta/Api`)', width: 24, height: 1 }),
      widget('API requests, 4xx, 5xx', totals),
      widget('API latency p50 / p90 / p99 (ms)', percentiles, { value: targetMs, label: 'p99 target' }),
      widget(`API 5xx % (${r.windowMinutes}-minute windows)`, [errorRate], { value: r.serverErrorPercent, label: 'target' }),
      widget('Requests per route', [perRoute(REQUEST_METRICS.requests, 'Sum')]),
      widget('p99 latency per route (ms)', [perRoute(REQUEST_METRICS.latency, 'p99')]),
      widget('4xx / 5xx per route', [perRoute(REQUEST_METRICS.status4xx, 'Sum'), perRoute(REQUEST_METRICS.status5xx, 'Sum')]),
    ],
  };
}
