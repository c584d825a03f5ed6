import type { FastifyInstance } from 'fastify';

/** Gives up on a check after this long: a hung dependency must not hang the probe. */
const CHECK_TIMEOUT_MS = 1_500;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is up (the load balancer's check; it never touches
 * a dependency, so a database blip does not take every instance out at once).
 * `/readyz`: the database and, where configured, the cache answer; otherwise
 * 503 naming the failing part ("degraded" when only the cache fails: requests
 * are still served from the database).
 */
export default async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { schema: { summary: 'The process is up: 200 {"status":"ok"} (the load balancer\'s check)' } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', { schema: { summary: 'The database (and the cache, where configured) answer: 200, or 503 naming the failing part' } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    const results = await Promise.allSettled(app.db.nodes.map((node) => withTimeout(node.query('SELECT 1'))));
    checks.database = results.every((r) => r.status === 'fulfilled') ? 'ok' : 'unavailable';
    if (app.redis) {
      const redis = app.redis;
      checks.cache = await withTimeout(redis.ping()).then(
        () => 'ok',
        () => 'unavailable',
      );
    }
    const failing = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    reply.header('cache-control', 'no-store');
    if (failing.length === 0) return { status: 'ready', checks };
    const status = failing.includes('database') ? 'unavailable' : 'degraded';
    return reply.code(503).send({ status, failing, checks });
  });
}
