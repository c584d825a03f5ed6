import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ACTIVE_USERS_METRIC, BUSINESS_EVENT_METRICS, CACHE_METRICS } from '../../../contracts/api-metrics';
import { API_GRAPH_PERIOD, apiMetric } from './api-metric';
import type { AlarmDefinition } from './stage-monitoring';

export interface BusinessGraphsProps {
  /** The stage has the user cache (100k and up): graph its hit ratio. */
  readonly cache: boolean;
  /** Several API instances without a shared count: each reports its own active users (1k, 10k). */
  readonly activeUsersPerInstance: boolean;
}

/**
 * The business section of the dashboard: the API's event counts, daily active
 * users and, where the cache exists, its hit ratio. Graphs only: a business
 * figure that drops is a question for the team, not a page.
 */
export function businessGraphs(props: BusinessGraphsProps): { alarms: AlarmDefinition[]; graphs: cloudwatch.IWidget[] } {
  const widget = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });
  const events = BUSINESS_EVENT_METRICS.map((name) => apiMetric(name, 'Sum'));
  // Without Redis each instance counts the users it saw: the fleet's figure is at least the busiest instance's. Not
  // their Sum: every instance publishes once a minute, so a Sum over a graph's period counts each instance several times.
  const activeUsers = [apiMetric(ACTIVE_USERS_METRIC, 'Maximum', undefined, props.activeUsersPerInstance ? 'Active users (busiest instance: the fleet has at least this many)' : 'Active users today')];
  const hitRatio = new cloudwatch.MathExpression({
    expression: '100 * hits / (hits + misses)',
    usingMetrics: { hits: apiMetric(CACHE_METRICS.hits, 'Sum'), misses: apiMetric(CACHE_METRICS.misses, 'Sum') },
    label: 'User cache hit ratio %',
    period: API_GRAPH_PERIOD,
  });
  return {
    alarms: [],
    graphs: [
      new cloudwatch.TextWidget({ markdown: '## Business (the API\'s EMF metrics)', width: 24, height: 1 }),
      widget('Sign-ups, log-ins, uploads, follows, likes', events),
      widget('Daily active users (UTC day so far)', activeUsers),
      ...(props.cache ? [widget('User cache hit ratio %', [hitRatio])] : []),
    ],
  };
}
