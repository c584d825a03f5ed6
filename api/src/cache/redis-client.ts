import { Cluster, Redis } from 'ioredis';
import { REDIS_PORT } from '../../../contracts/redis';
import { defineRedisScripts } from './redis-scripts';

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  readonly url: string;
  readonly cluster: boolean;
  readonly password?: string;
}

/**
 * Options chosen so a dead Redis costs a request almost nothing: no offline
 * queue (commands fail at once while disconnected, and the caller falls back to
 * PostgreSQL), one attempt per command, a short command timeout, and
 * reconnection in the background.
 */
const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
} as const;

/**
 * A standalone or cluster client with the API's scripts defined
 * (redis-scripts.ts). For ElastiCache with TLS in cluster mode the
 * nodes are addressed by name (`dnsLookup` passthrough) so that certificates,
 * issued for names, verify.
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  return defineRedisScripts(connect(options));
}

function connect(options: RedisClientOptions): RedisClient {
  const parsed = new URL(options.url);
  const tls = parsed.protocol === 'rediss:' ? {} : undefined;
  const password = options.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined);
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  if (!options.cluster) {
    return new Redis(options.url, { ...FAIL_FAST, password, username, tls, lazyConnect: false });
  }
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || REDIS_PORT) }], {
    dnsLookup: (address, callback) => callback(null, address),
    // Fail fast at the cluster level only: node connections need their offline
    // queue, or the client's own CLUSTER SLOTS discovery fails and it never gets ready.
    enableOfflineQueue: false,
    maxRedirections: 4,
    clusterRetryStrategy: FAIL_FAST.retryStrategy,
    redisOptions: { connectTimeout: FAIL_FAST.connectTimeout, commandTimeout: FAIL_FAST.commandTimeout, maxRetriesPerRequest: 1, password, username, tls },
  });
}

/** Resolves when the client is ready, or after `timeoutMs` (start-up never waits long on a cache). */
export function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
