import autocannon from 'autocannon';

/** One load run: a fixed time, a fixed number of connections, loopback only. */
export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Record<string, string>;
  /** A request unanswered after this long counts as an error. @default 10 */
  readonly timeoutSeconds?: number;
  /** Called per request: the path (and body, headers) to send, so IDs and tokens vary across requests. */
  readonly next: () => { path: string; body?: string; headers?: Record<string, string> };
}

export interface LoadFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  readonly errors: number;
  /** What the errors were: non-2xx answers by status, socket errors, timeouts. */
  readonly errorKinds: Readonly<Record<string, number>>;
}

/** Refuses anything but loopback: the benchmark must never load a remote host. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`refusing to load ${host}: the benchmark targets loopback only`);
}

function statusCounts(stats: Record<string, { count?: number }> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(stats ?? {}).filter(([code]) => !code.startsWith('2')).map(([code, { count }]) => [code, count ?? 0]));
}

/** Drives `spec` with autocannon and returns its figures; non-2xx answers, socket errors and timeouts count as errors. */
export async function runLoad(spec: LoadSpec): Promise<LoadFigures> {
  assertLoopback(spec.url);
  if (!(spec.connections >= 1 && spec.connections <= 256)) throw new Error(`connections must be 1..256, got ${spec.connections}`);
  if (!(spec.durationSeconds >= 1 && spec.durationSeconds <= 120)) throw new Error(`duration must be 1..120 s, got ${spec.durationSeconds}`);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: spec.timeoutSeconds ?? 10,
    requests: [
      {
        method: spec.method,
        headers: { 'content-type': 'application/json', ...spec.headers },
        setupRequest: (request) => {
          const { path, body, headers } = spec.next();
          return { ...request, path, ...(body === undefined ? {} : { body }), ...(headers ? { headers: { ...request.headers, ...headers } } : {}) };
        },
      },
    ],
  });
  const requests = result.requests.total;
  return {
    requests,
    requestsPerSecond: requests / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
    errors: result.non2xx + result.errors + result.timeouts,
    errorKinds: Object.fromEntries(
      Object.entries({ ...statusCounts(result.statusCodeStats), socket: result.errors - result.timeouts, timeout: result.timeouts }).filter(([, n]) => n > 0),
    ),
  };
}
