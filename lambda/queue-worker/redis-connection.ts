import { Cluster, Redis } from 'ioredis';

export interface RedisSettings {
  readonly url: string;
  readonly cluster: boolean;
  /** Secrets Manager secret whose `password` field is the AUTH token. */
  readonly authSecretArn?: string;
}

/** Reads REDIS_URL, REDIS_CLUSTER and REDIS_AUTH_SECRET_ARN (the names the API uses, docs/configuration.md). */
export function redisSettingsFromEnv(env: NodeJS.ProcessEnv): RedisSettings {
  const url = env.REDIS_URL;
  if (!url || !/^rediss?:\/\//.test(url)) throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  if (env.REDIS_CLUSTER !== undefined && env.REDIS_CLUSTER !== 'true' && env.REDIS_CLUSTER !== 'false') {
    throw new Error(`REDIS_CLUSTER must be "true" or "false", got ${JSON.stringify(env.REDIS_CLUSTER)}`);
  }
  return { url, cluster: env.REDIS_CLUSTER === 'true', authSecretArn: env.REDIS_AUTH_SECRET_ARN || undefined };
}

/**
 * A client for the worker. Unlike the API's fail-fast client, the worker keeps
 * an offline queue and retries: a failed item is redelivered anyway, but a
 * short blip should not fail a whole batch. TLS for rediss://; in cluster mode
 * nodes are addressed by name so ElastiCache's certificates verify.
 */
export function connectRedis(settings: RedisSettings, password?: string): Redis | Cluster {
  const parsed = new URL(settings.url);
  const tls = parsed.protocol === 'rediss:' ? {} : undefined;
  const options = { password, tls, maxRetriesPerRequest: 2, connectTimeout: 5_000, commandTimeout: 5_000 };
  if (!settings.cluster) return new Redis(settings.url, options);
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: options,
  });
}
