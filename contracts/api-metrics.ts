/**
 * The names under which the API publishes its CloudWatch metrics (Embedded
 * Metric Format lines in its log, api/src/metrics/emf.ts), read by the
 * Monitoring stack's alarms and dashboard (lib/constructs/monitoring/
 * api-request-alarms.ts, api-dashboard.ts). One home, so a rename on one side
 * cannot leave the alarms watching a metric nobody publishes. docs/metrics.md.
 * Imports nothing.
 */

/** The CloudWatch namespace of every metric the API publishes. */
export const API_METRICS_NAMESPACE = 'Graminsta/Api';

/** The one dimension the request metrics carry besides the dimensionless set (the whole API). */
export const ROUTE_DIMENSION = 'Route';

/** Request metrics, published under `[Route]` and `[]`. */
export const REQUEST_METRICS = {
  requests: 'Requests',
  latency: 'Latency',
  status4xx: 'Status4xx',
  status5xx: 'Status5xx',
} as const;

/** Business events, one count each, published under `[]` (api/src/metrics/business-events.ts says which answer counts). */
export const BUSINESS_EVENT_METRICS = ['SignUps', 'LogIns', 'Uploads', 'Follows', 'Likes'] as const;
export type BusinessEventMetric = (typeof BUSINESS_EVENT_METRICS)[number];

/** Distinct signed-in users today (UTC) so far, under `[]`. */
export const ACTIVE_USERS_METRIC = 'ActiveUsers';

/** User-profile cache lookups (100k and up, where the cache exists), under `[]`. */
export const CACHE_METRICS = { hits: 'CacheHits', misses: 'CacheMisses', hitRatio: 'CacheHitRatio' } as const;
