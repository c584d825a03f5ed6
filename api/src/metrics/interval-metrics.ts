import { BUSINESS_EVENT_NAMES, type BusinessEvent } from './business-events';

/**
 * Latency samples kept per route per interval. Past this, reservoir sampling
 * keeps a uniform sample of the interval's requests, so the percentiles stay
 * unbiased while one route's EMF lines stay at most LATENCY_SAMPLES / 100 a
 * flush. p99 of 1000 samples rests on its 10 slowest: good enough to alarm on.
 */
export const LATENCY_SAMPLES = 1000;

export interface RouteFigures {
  requests: number;
  status4xx: number;
  status5xx: number;
  /** Milliseconds, rounded to 0.1 ms; at most LATENCY_SAMPLES of them. */
  readonly latencies: number[];
}

/** What one interval measured; `take` hands it over and starts the next. */
export interface IntervalSnapshot {
  readonly routes: ReadonlyMap<string, RouteFigures>;
  readonly events: Readonly<Record<BusinessEvent, number>>;
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

function zeroEvents(): Record<BusinessEvent, number> {
  return Object.fromEntries(BUSINESS_EVENT_NAMES.map((name) => [name, 0])) as Record<BusinessEvent, number>;
}

/** The figures of the current interval, in memory: a few counters and at most LATENCY_SAMPLES numbers per route. */
export class IntervalMetrics {
  private routes = new Map<string, RouteFigures>();
  private events = zeroEvents();
  private cacheHits = 0;
  private cacheMisses = 0;

  constructor(private readonly random: () => number = Math.random) {}

  request(route: string, statusCode: number, latencyMs: number): void {
    let figures = this.routes.get(route);
    if (!figures) {
      figures = { requests: 0, status4xx: 0, status5xx: 0, latencies: [] };
      this.routes.set(route, figures);
    }
    figures.requests++;
    if (statusCode >= 500) figures.status5xx++;
    else if (statusCode >= 400) figures.status4xx++;
    const value = Math.round(latencyMs * 10) / 10;
    if (figures.latencies.length < LATENCY_SAMPLES) {
      figures.latencies.push(value);
    } else {
      // Algorithm R: the n-th request replaces a kept sample with probability LATENCY_SAMPLES / n.
      const slot = Math.floor(this.random() * figures.requests);
      if (slot < LATENCY_SAMPLES) figures.latencies[slot] = value;
    }
  }

  event(name: BusinessEvent): void {
    this.events[name]++;
  }

  cacheLookup(hit: boolean): void {
    if (hit) this.cacheHits++;
    else this.cacheMisses++;
  }

  take(): IntervalSnapshot {
    const snapshot = { routes: this.routes, events: this.events, cacheHits: this.cacheHits, cacheMisses: this.cacheMisses };
    this.routes = new Map();
    this.events = zeroEvents();
    this.cacheHits = 0;
    this.cacheMisses = 0;
    return snapshot;
  }
}
