import type { ActiveUsers } from './active-users';
import { businessEvent } from './business-events';
import { emfDocuments, type EmfDocument } from './emf';
import { IntervalMetrics } from './interval-metrics';
import { PrometheusMetrics } from './prometheus-metrics';

export interface ApiMetricsOptions {
  readonly activeUsers: ActiveUsers;
  /** Writes one EMF document as one log line. */
  readonly write: (document: EmfDocument) => void;
  /** Also keep the figures for `GET /metrics`. @default false */
  readonly prometheus?: boolean;
  readonly now?: () => number;
}

/**
 * Everything the API measures, recorded in memory as requests are answered
 * (no I/O per request) and published once per interval by `flush`: as EMF
 * log lines that CloudWatch Logs turns into metrics, and, when enabled, kept
 * cumulatively for a Prometheus scraper.
 */
export class ApiMetrics {
  private readonly interval = new IntervalMetrics();
  readonly prometheus?: PrometheusMetrics;
  private readonly now: () => number;

  constructor(private readonly options: ApiMetricsOptions) {
    this.now = options.now ?? Date.now;
    if (options.prometheus) this.prometheus = new PrometheusMetrics(() => options.activeUsers.count());
  }

  /**
   * One answered request: its route label (never the URL), status and time to
   * answer. `forwarded`: the answer came from the home region (stage 10m), which
   * counts the business event itself, so this region does not count it again.
   */
  request(route: string, statusCode: number, latencyMs: number, userId?: string, forwarded = false): void {
    this.interval.request(route, statusCode, latencyMs);
    this.prometheus?.request(route, statusCode, latencyMs);
    const event = forwarded ? undefined : businessEvent(route, statusCode);
    if (event) {
      this.interval.event(event);
      this.prometheus?.event(event);
    }
    if (userId !== undefined) this.options.activeUsers.see(userId);
  }

  cacheLookup(hit: boolean): void {
    this.interval.cacheLookup(hit);
    this.prometheus?.cacheLookup(hit);
  }

  /** Publishes the interval's figures as EMF lines and starts the next interval. */
  async flush(): Promise<void> {
    const timestamp = this.now();
    const snapshot = this.interval.take();
    const activeUsers = await this.options.activeUsers.count();
    for (const document of emfDocuments(snapshot, { activeUsers }, timestamp)) this.options.write(document);
  }
}
