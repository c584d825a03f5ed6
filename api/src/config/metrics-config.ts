import { boolean, type Env, integer } from '../../../contracts/env-readers';

/** What the API measures and where it shows it (docs/metrics.md), part of the API's EnvConfig. */
export interface MetricsConfig {
  /**
   * METRICS_ENDPOINT: serve `GET /metrics` in the Prometheus text format. Even
   * when on, it answers only connections from a loopback address (the socket's
   * peer, never X-Forwarded-For), so turning it on in production exposes
   * nothing through the load balancer or CloudFront. `npm run dev` turns it on.
   * @default false
   */
  readonly metricsEndpoint: boolean;
  /**
   * METRICS_FLUSH_SECONDS: one set of EMF lines per this interval (not per
   * request). 60 matches CloudWatch's standard resolution; shorter intervals
   * cost log bytes but no extra metrics.
   * @default 60
   */
  readonly metricsFlushSeconds: number;
}

/** Reads METRICS_ENDPOINT and METRICS_FLUSH_SECONDS; throws ConfigError naming the bad one. */
export function loadMetricsConfig(env: Env): MetricsConfig {
  return {
    metricsEndpoint: boolean(env, 'METRICS_ENDPOINT', false),
    metricsFlushSeconds: integer(env, 'METRICS_FLUSH_SECONDS', 60, 1, 3600),
  };
}
