import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createRedisClient, waitUntilReady, type RedisClient } from '../../cache/redis-client';
import { UserCache } from '../../cache/user-cache';

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined when no REDIS_URL is configured (stages before 100k). */
    redis: RedisClient | undefined;
    /** The connection in subscriber mode (invalidation messages), with `redis`. */
    redisSubscriber: RedisClient | undefined;
    userCache: UserCache | undefined;
  }
}

/**
 * Redis for cache-aside, sessions and rate limits, when configured. Start-up
 * waits briefly for it but never fails on it: a cache that is down makes the
 * API slower, not unavailable (/readyz reports it as degraded).
 */
export default fp(
  async function cache(app: FastifyInstance) {
    const { redisUrl, redisCluster, redisPassword, userCacheTtlSeconds, nearCacheTtlMs } = app.config;
    if (!redisUrl) {
      app.decorate<RedisClient | undefined>('redis', undefined);
      app.decorate<RedisClient | undefined>('redisSubscriber', undefined);
      app.decorate('userCache', undefined);
      return;
    }
    const options = { url: redisUrl, cluster: redisCluster, password: redisPassword };
    const redis = createRedisClient(options);
    // Pub/sub needs a connection of its own (a subscribed connection runs no other commands).
    const subscriber = createRedisClient(options);
    let lastState = '';
    const report = (state: string) => {
      if (state === lastState) return;
      lastState = state;
      if (state === 'ready') app.log.info('cache: redis ready');
      else app.log.warn(`cache: redis ${state}`);
    };
    redis.on('ready', () => report('ready'));
    redis.on('error', () => report('unreachable'));
    subscriber.on('error', () => undefined);
    app.decorate<RedisClient | undefined>('redis', redis);
    app.decorate<RedisClient | undefined>('redisSubscriber', subscriber);
    // Stage 10m, outside home: home's invalidations never reach this region's Redis, so entries filled
    // from its replicas live REGION_CACHE_TTL_SECONDS at most (docs/region-routing.md).
    const region = app.region;
    const remoteTtl = Math.min(userCacheTtlSeconds, app.config.regionCacheTtlSeconds);
    const ttlSeconds = region ? () => (region.isHome ? userCacheTtlSeconds : remoteTtl) : userCacheTtlSeconds;
    app.decorate('userCache', new UserCache(redis, subscriber, { ttlSeconds, nearTtlMs: nearCacheTtlMs }, app.log));
    await waitUntilReady(redis, 2_000);
    app.addHook('onClose', async () => {
      app.userCache?.close();
      redis.disconnect();
      subscriber.disconnect();
    });
  },
  { name: 'cache', dependencies: ['config', 'regions'] },
);
