import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { READINESS_PATH } from '../../contracts/health-paths';

/** One region behind the router: its API's base URL. */
export interface RoutedRegion {
  readonly name: string;
  readonly url: string;
}

export interface LatencyRouterOptions {
  readonly regions: readonly RoutedRegion[];
  /** Route 53 checks `/readyz`, as the templates' health checks do. @default READINESS_PATH */
  readonly healthPath?: string;
  /** Between two checks of one region (Route 53: 10 or 30 s; scaled down for tests). @default 200 */
  readonly intervalMs?: number;
  /** Consecutive failures that make a region unhealthy, and successes that make it healthy again (Route 53's failure threshold). @default 3 */
  readonly failureThreshold?: number;
  /** A check without a 2xx answer within this counts as failed. @default 500 */
  readonly timeoutMs?: number;
}

/** A region's health changing, as the router saw it. */
export interface HealthChange {
  readonly at: number;
  readonly region: string;
  readonly healthy: boolean;
}

/**
 * A small HTTP proxy standing in for Route 53 latency records with health
 * checks in the two-region tests. Each region has its own entry URL
 * (`entryFor(region)`): the address a client near that region resolves the
 * API's name to. A request there goes to that region's API while it is
 * healthy, otherwise to the next healthy region in the list (Route 53 answers
 * with the next-lowest-latency healthy record); when none is healthy it goes
 * to the nearest anyway (Route 53 treats all records as healthy then). Health
 * is checked on every region's `healthPath` every `intervalMs`;
 * `failureThreshold` consecutive failures mark it unhealthy, as many
 * successes healthy again. DNS caching (TTL) is not modelled: a switch takes
 * effect on the next request. A region's URL may change (`setUrl`: an API
 * restarted elsewhere).
 */
export interface LatencyRouter {
  entryFor(region: string): string;
  healthy(region: string): boolean;
  /** Where a request entering at `region` goes now. */
  routeFor(region: string): string;
  readonly changes: readonly HealthChange[];
  /** Requests forwarded, by entry region and target region (`region-a->region-b`). */
  readonly forwarded: ReadonlyMap<string, number>;
  setUrl(region: string, url: string): void;
  /** Resolves once `region` is seen as `healthy` (or rejects after `timeoutMs`). */
  waitFor(region: string, healthy: boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLatencyRouter(options: LatencyRouterOptions): Promise<LatencyRouter> {
  const healthPath = options.healthPath ?? READINESS_PATH;
  const intervalMs = options.intervalMs ?? 200;
  const threshold = options.failureThreshold ?? 3;
  const timeoutMs = options.timeoutMs ?? 500;
  const names = options.regions.map((r) => r.name);
  const urls = new Map(options.regions.map((r) => [r.name, r.url]));
  const state = new Map(names.map((name) => [name, { healthy: true, streak: 0 }]));
  const changes: HealthChange[] = [];
  const forwarded = new Map<string, number>();
  const servers = new Map<string, { server: Server; url: string; sockets: Set<Socket> }>();
  let stopped = false;

  const routeFor = (entry: string) => {
    const order = [entry, ...names.filter((n) => n !== entry)];
    return order.find((name) => state.get(name)!.healthy) ?? entry;
  };

  const check = async (name: string) => {
    let ok = false;
    try {
      const response = await fetch(`${urls.get(name)}${healthPath}`, { signal: AbortSignal.timeout(timeoutMs) });
      ok = response.status >= 200 && response.status < 300;
      await response.body?.cancel();
    } catch {
      ok = false;
    }
    const s = state.get(name)!;
    // The streak counts results that disagree with the current state.
    s.streak = ok === s.healthy ? 0 : s.streak + 1;
    if (s.streak >= threshold) {
      s.healthy = ok;
      s.streak = 0;
      changes.push({ at: Date.now(), region: name, healthy: ok });
    }
  };
  const timers = names.map((name) => {
    let running = false;
    return setInterval(() => {
      if (running || stopped) return;
      running = true;
      void check(name).finally(() => (running = false));
    }, intervalMs);
  });

  for (const entry of names) {
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      const target = routeFor(entry);
      const key = `${entry}->${target}`;
      forwarded.set(key, (forwarded.get(key) ?? 0) + 1);
      const base = new URL(urls.get(target)!);
      const upstream = httpRequest(
        { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: { ...req.headers, host: base.host, 'x-routed-to': target } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-routed-to': target });
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json', 'x-routed-to': target });
        res.end(JSON.stringify({ error: `region ${target} did not answer` }));
      });
      req.pipe(upstream);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    servers.set(entry, { server, url: `http://127.0.0.1:${port}`, sockets });
  }

  const known = (region: string) => {
    if (!state.has(region)) throw new Error(`the router has no region ${region} (regions: ${names.join(', ')})`);
    return region;
  };
  return {
    entryFor: (region) => servers.get(known(region))!.url,
    healthy: (region) => state.get(known(region))!.healthy,
    routeFor: (region) => routeFor(known(region)),
    changes,
    forwarded,
    setUrl: (region, url) => {
      urls.set(known(region), url.replace(/\/+$/, ''));
    },
    waitFor: async (region, healthy, waitMs = 30_000) => {
      known(region);
      const deadline = Date.now() + waitMs;
      while (state.get(region)!.healthy !== healthy) {
        if (Date.now() > deadline) throw new Error(`the router did not see ${region} ${healthy ? 'healthy' : 'unhealthy'} within ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.all(
        [...servers.values()].map(
          ({ server, sockets }) =>
            new Promise<void>((resolve) => {
              for (const socket of sockets) socket.destroy();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
