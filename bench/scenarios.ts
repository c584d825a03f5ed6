import type { MeasuredPerCore } from '../contracts/bench-results';
import { type BenchEnvironment, type ServerKey, SHARDED_TWIN } from './environment';
import type { TargetCheck } from './report/targets';
import { BENCH_PASSWORD } from './seed/data-set';

/** One measured request stream against one server. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly side: 'api' | 'baseline';
  readonly server: ServerKey;
  readonly method: 'GET' | 'POST';
  /** The path as shown in the report (`:id` where IDs vary). */
  readonly path: string;
  readonly connections: number;
  /** Slow requests (log-in) need longer runs to complete enough of them. */
  readonly minDurationSeconds?: number;
  /** Per-request timeout for slow requests. @default 10 s */
  readonly timeoutSeconds?: number;
  readonly next: () => { path: string; body?: string; headers?: Record<string, string> };
  readonly baselineId?: string;
  /** On the shard layout: the one-server scenario doing the same requests (the report states two-server / one-server). */
  readonly comparesWith?: string;
  /** The target: checks on the summarized figures, all to hold. */
  readonly target?: readonly TargetCheck[];
  /**
   * A scenario of the same run whose API + PostgreSQL CPU per request this one's is compared with
   * (the `CPU sum` check): the fan-out feed against the pull feed at the same connections.
   */
  readonly comparesCpuWith?: string;
  /** Which per-core figure of the capacity plan this scenario measures. */
  readonly perCore?: keyof MeasuredPerCore;
}

/** Logs in through the API; returns the bearer token. */
export async function logIn(apiUrl: string, username: string): Promise<{ token: string; userId: string }> {
  const response = await fetch(`${apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`log-in as ${username} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string; userId: string };
}

/**
 * One log-in costs about a CPU second of scrypt: two connections (one per core here) keep the
 * cores busy without queueing requests past any sane timeout.
 */
const LOGIN_CONNECTIONS = 2;

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];

function roundRobin<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

export interface ScenarioContext {
  readonly env: BenchEnvironment;
  /** The reader (follows 200 accounts): its token on each API that serves it a feed (sessions are per API). */
  readonly readerTokens: Readonly<Partial<Record<ServerKey, string>>>;
  readonly readerId: string;
  /** Users that upload photos, with tokens on the cached API (spread so no two uploads queue on one user row). */
  readonly writers: ReadonlyArray<{ token: string; userId: string }>;
  readonly loginUsernames: readonly string[];
  readonly feedConnections: readonly number[];
  readonly connections: number;
}

/**
 * The scenarios, each API scenario next to the baseline doing the same
 * work without the framework: cached user read vs bare node:http (and Redis
 * only vs a Redis GET), database user read, user photos, feed, photo upload
 * and log-in vs the same statements on plain pg.
 */
export function buildScenarios(ctx: ScenarioContext): Scenario[] {
  const all = ctx.env.seed.dataSet.userIds.map(String);
  const hot = ctx.env.hotUserIds;
  const c = ctx.connections;
  const photoBody = () => JSON.stringify({ caption: 'Benchmark upload', contentType: 'image/jpeg', size: 123_456 });
  const nextWriter = roundRobin(ctx.writers);
  const nextBaselineWriter = roundRobin(ctx.writers);
  const login = () => JSON.stringify({ username: pick(ctx.loginUsernames), password: BENCH_PASSWORD });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const layout = ctx.env.shardLayout;
  /**
   * The same requests against the sharded twin of the scenario's server (same settings, the data
   * set spread over the layout's servers), run right after it: none without a shard layout.
   */
  const onShards = (s: Scenario, next: Scenario['next'] = s.next): Scenario[] => {
    const server = SHARDED_TWIN[s.server];
    if (!layout || !server || !ctx.env.servers[server]) return [];
    return [{ id: `${s.id}-shards`, title: `${s.title}, ${layout.servers.length}-server shard layout`, side: 'api', server, method: s.method, path: s.path, connections: s.connections, next, comparesWith: s.id }];
  };

  const scenarios: Scenario[] = [
    { id: 'baseline-http', title: 'bare node:http, same user JSON', side: 'baseline', server: 'http-baseline', method: 'GET', path: '/api/users/:id', connections: c, next: () => ({ path: `/api/users/${pick(hot)}` }) },
    {
      id: 'api-user-cached', title: 'GET /api/users/:id from cache (near tier + Redis, as shipped)', side: 'api', server: 'api-cache', method: 'GET', path: '/api/users/:id', connections: c,
      next: () => ({ path: `/api/users/${pick(hot)}` }), baselineId: 'baseline-http', perCore: 'userCached',
      target: [{ measure: 'req/s', atLeast: 0.8 }, { measure: 'per-core', atLeast: 0.7 }],
    },
    { id: 'baseline-redis', title: 'node:http + one Redis GET', side: 'baseline', server: 'redis-baseline', method: 'GET', path: '/:id', connections: c, next: () => ({ path: `/${pick(hot)}` }) },
    {
      id: 'api-user-redis', title: 'GET /api/users/:id from Redis (near tier off)', side: 'api', server: 'api-redis-only', method: 'GET', path: '/api/users/:id', connections: c,
      next: () => ({ path: `/api/users/${pick(hot)}` }), baselineId: 'baseline-redis', target: [{ measure: 'req/s', atLeast: 0.85, keep: true }],
    },
    { id: 'baseline-pg-user', title: 'node:http + pg, the same user query', side: 'baseline', server: 'pg-baseline', method: 'GET', path: '/user/:id', connections: c, next: () => ({ path: `/user/${pick(all)}` }) },
  ];
  const userDb: Scenario = {
    id: 'api-user-db', title: 'GET /api/users/:id from PostgreSQL (no cache)', side: 'api', server: 'api-db', method: 'GET', path: '/api/users/:id', connections: c,
    next: () => ({ path: `/api/users/${pick(all)}` }), baselineId: 'baseline-pg-user', perCore: 'userDb',
    target: [{ measure: 'req/s', atLeast: 0.9 }],
  };
  const userPhotos: Scenario = {
    id: 'api-user-photos', title: 'GET /api/users/:id/photos', side: 'api', server: 'api-cache', method: 'GET', path: '/api/users/:id/photos', connections: c,
    next: () => ({ path: `/api/users/${pick(all)}/photos` }), baselineId: 'baseline-pg-photos', perCore: 'userPhotos', target: [{ measure: 'req/s', atLeast: 0.9 }],
  };
  scenarios.push(
    userDb,
    ...onShards(userDb),
    { id: 'baseline-pg-photos', title: 'node:http + pg, the same photo-list query', side: 'baseline', server: 'pg-baseline', method: 'GET', path: '/photos/:id', connections: c, next: () => ({ path: `/photos/${pick(all)}` }) },
    userPhotos,
    ...onShards(userPhotos),
  );
  const readerOn = (server: ServerKey) => {
    const token = ctx.readerTokens[server];
    if (!token) throw new Error(`no reader token for ${server}`);
    return () => ({ path: '/api/feed', headers: auth(token) });
  };
  const twinToken = (s: Scenario) => (SHARDED_TWIN[s.server] && ctx.readerTokens[SHARDED_TWIN[s.server]!] ? onShards(s, readerOn(SHARDED_TWIN[s.server]!)) : []);
  const pullFeeds: Scenario[] = [];
  for (const fc of ctx.feedConnections) {
    const feed: Scenario = {
      id: `api-feed-c${fc}`, title: `GET /api/feed (reader follows 200 accounts), ${fc} connections`, side: 'api', server: 'api-cache', method: 'GET', path: '/api/feed', connections: fc,
      next: readerOn('api-cache'), baselineId: `baseline-pg-feed-c${fc}`,
      ...(fc === 10 ? { target: [{ measure: 'p99', belowMs: 25 }, { measure: 'req/s', atLeast: 0.9 }] } : {}),
      ...(fc === Math.max(...ctx.feedConnections) ? { perCore: 'feed' as const } : {}),
    };
    pullFeeds.push(feed);
    scenarios.push(
      { id: `baseline-pg-feed-c${fc}`, title: 'node:http + pg, the same feed statement', side: 'baseline', server: 'pg-baseline', method: 'GET', path: '/feed/:reader', connections: fc, next: () => ({ path: `/feed/${ctx.readerId}` }) },
      feed,
      ...twinToken(feed),
    );
  }
  if (ctx.env.servers['api-queue'] && ctx.readerTokens['api-queue']) {
    for (const pull of pullFeeds) {
      const fc = pull.connections;
      // Stage 1m's read path: the reader's feed_entries + the celebrity followees' newest photos, hydrated per server.
      // Fan-out on write is worth its writes only if reading costs far less CPU than the pull feed's query.
      const feed: Scenario = {
        id: `api-feed-fanout-c${fc}`, title: `GET /api/feed with fan-out on write (QUEUE=postgres, feed_entries + celebrities), ${fc} connections`, side: 'api', server: 'api-queue',
        method: 'GET', path: '/api/feed', connections: fc, next: readerOn('api-queue'), comparesCpuWith: pull.id, target: [{ measure: 'CPU sum', atMost: 0.5 }],
      };
      scenarios.push(feed, ...twinToken(feed));
    }
  }
  scenarios.push(
    { id: 'baseline-pg-create-photo', title: 'node:http + pg, the same insert transaction', side: 'baseline', server: 'pg-baseline', method: 'POST', path: '/photos/:id', connections: c, next: () => ({ path: `/photos/${nextBaselineWriter().userId}`, body: photoBody() }) },
    {
      id: 'api-create-photo', title: 'POST /api/photos', side: 'api', server: 'api-cache', method: 'POST', path: '/api/photos', connections: c,
      next: () => ({ path: '/api/photos', body: photoBody(), headers: auth(nextWriter().token) }), baselineId: 'baseline-pg-create-photo', perCore: 'createPhoto', target: [{ measure: 'req/s', atLeast: 0.75 }],
    },
    { id: 'baseline-login', title: 'node:http + pg + the same scrypt verification', side: 'baseline', server: 'pg-baseline', method: 'POST', path: '/login', connections: LOGIN_CONNECTIONS, minDurationSeconds: 20, timeoutSeconds: 30, next: () => ({ path: '/login', body: login() }) },
    {
      id: 'api-login', title: 'POST /api/sessions (log-in, scrypt at production cost)', side: 'api', server: 'api-cache', method: 'POST', path: '/api/sessions', connections: LOGIN_CONNECTIONS, minDurationSeconds: 20, timeoutSeconds: 30,
      next: () => ({ path: '/api/sessions', body: login() }), baselineId: 'baseline-login', perCore: 'login',
    },
  );
  return scenarios;
}
