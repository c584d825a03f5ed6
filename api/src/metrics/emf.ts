import { API_METRICS_NAMESPACE } from '../../../contracts/api-metrics';
import { BUSINESS_EVENT_NAMES } from './business-events';
import type { IntervalSnapshot } from './interval-metrics';

/** The CloudWatch namespace of every metric the API publishes (contracts/api-metrics.ts: the alarms read it too). */
export const METRICS_NAMESPACE = API_METRICS_NAMESPACE;

/** The EMF specification's limit on the values of one metric member. */
export const EMF_MAX_VALUES = 100;

/** CloudWatch units the API uses (a subset of the specification's list). */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Percent';

export interface EmfMetricDefinition {
  readonly Name: string;
  readonly Unit: EmfUnit;
}

/**
 * One Embedded Metric Format document: `_aws` tells CloudWatch Logs which of
 * the other members are metrics (numbers, or arrays of up to 100 numbers)
 * and which are dimensions (strings).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly { readonly Namespace: string; readonly Dimensions: readonly (readonly string[])[]; readonly Metrics: readonly EmfMetricDefinition[] }[];
  };
  readonly [member: string]: unknown;
}

/** Interval figures that are not per route. */
export interface FleetFigures {
  /** Distinct signed-in users today (UTC) so far. */
  readonly activeUsers: number;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * The EMF documents of one interval, one log line each:
 * - per route that answered: `Requests`, `Status4xx`, `Status5xx` (Count) and
 *   `Latency` (Milliseconds, the raw values, so CloudWatch computes p50/p90/p99
 *   itself), each under the dimension sets `[Route]` and `[]` (the whole API,
 *   for fleet alarms). Latency values beyond 100 continue in further documents
 *   with the same dimensions, `Latency` only;
 * - one business document without dimensions: the events, `ActiveUsers`, and
 *   `CacheHits`, `CacheMisses`, `CacheHitRatio` (Percent) when the cache was used.
 * Routes with no request this interval publish nothing (no zero lines).
 */
export function emfDocuments(snapshot: IntervalSnapshot, fleet: FleetFigures, timestamp: number): EmfDocument[] {
  const documents: EmfDocument[] = [];
  const directive = (metrics: EmfMetricDefinition[], dimensions: string[][]) => ({ Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: metrics }] });
  const latency: EmfMetricDefinition = { Name: 'Latency', Unit: 'Milliseconds' };
  for (const [route, figures] of snapshot.routes) {
    const [first = [], ...rest] = chunks(figures.latencies, EMF_MAX_VALUES);
    documents.push({
      _aws: directive(
        [{ Name: 'Requests', Unit: 'Count' }, { Name: 'Status4xx', Unit: 'Count' }, { Name: 'Status5xx', Unit: 'Count' }, ...(first.length > 0 ? [latency] : [])],
        [['Route'], []],
      ),
      Route: route,
      Requests: figures.requests,
      Status4xx: figures.status4xx,
      Status5xx: figures.status5xx,
      ...(first.length > 0 ? { Latency: first } : {}),
    });
    for (const values of rest) documents.push({ _aws: directive([latency], [['Route'], []]), Route: route, Latency: values });
  }
  const lookups = snapshot.cacheHits + snapshot.cacheMisses;
  const business: EmfMetricDefinition[] = [...BUSINESS_EVENT_NAMES.map((name) => ({ Name: name, Unit: 'Count' as const })), { Name: 'ActiveUsers', Unit: 'Count' }];
  if (lookups > 0) business.push({ Name: 'CacheHits', Unit: 'Count' }, { Name: 'CacheMisses', Unit: 'Count' }, { Name: 'CacheHitRatio', Unit: 'Percent' });
  documents.push({
    _aws: directive(business, [[]]),
    ...snapshot.events,
    ActiveUsers: fleet.activeUsers,
    ...(lookups > 0 ? { CacheHits: snapshot.cacheHits, CacheMisses: snapshot.cacheMisses, CacheHitRatio: Math.round((snapshot.cacheHits / lookups) * 1000) / 10 } : {}),
  });
  return documents;
}
