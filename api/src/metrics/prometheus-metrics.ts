import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BUSINESS_EVENT_NAMES, type BusinessEvent } from './business-events';
import { statusClass } from './route-label';

/** Seconds; from the fast reads (a cached profile) to the slow tail (an upload, a cold feed). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `SignUps` → `graminsta_sign_ups_total`. */
function counterName(event: BusinessEvent): string {
  return `graminsta_${event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}_total`;
}

/**
 * The same figures as the EMF lines, for a Prometheus scraper (`GET /metrics`
 * with METRICS_ENDPOINT): cumulative since the process started, as Prometheus
 * expects, where EMF publishes each interval. A registry of its own (not
 * prom-client's global one), so two apps in one process (tests) never share figures.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'graminsta_http_requests_total', help: 'Requests answered, by route template and status class', labelNames: ['route', 'status_class'], registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'graminsta_http_request_duration_seconds', help: 'Time to answer, by route template', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly events = new Map<BusinessEvent, Counter>(
    BUSINESS_EVENT_NAMES.map((event) => [event, new Counter({ name: counterName(event), help: `${event} (successful answers of its route)`, registers: [this.registry] })]),
  );
  private readonly cacheLookups = new Counter({ name: 'graminsta_cache_lookups_total', help: 'User profile cache lookups, by result (hit or miss)', labelNames: ['result'], registers: [this.registry] });

  constructor(activeUsers: () => Promise<number>) {
    new Gauge({
      name: 'graminsta_active_users',
      help: 'Distinct signed-in users today (UTC) so far',
      registers: [this.registry],
      async collect() {
        this.set(await activeUsers());
      },
    });
  }

  request(route: string, statusCode: number, latencyMs: number): void {
    this.requests.inc({ route, status_class: statusClass(statusCode) });
    this.latency.observe({ route }, latencyMs / 1000);
  }

  event(name: BusinessEvent): void {
    this.events.get(name)!.inc();
  }

  cacheLookup(hit: boolean): void {
    this.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }

  /** The text exposition format, and its content type. */
  async render(): Promise<{ readonly text: string; readonly contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
