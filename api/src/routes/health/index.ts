import type { FastifyInstance } from 'fastify';
import { LIVENESS_PATH, READINESS_PATH } from '../../../../contracts/health-paths';
import { atMostOncePer } from './at-most-once-per';

/** Gives up on a check after this long: a hung dependency must not hang the probe (Route 53's checkers wait 2 s for an answer). */
const CHECK_TIMEOUT_MS = 1_500;
/**
 * How long a verdict of `/readyz` is reused. It answers without the origin
 * secret, and at 10m the public origin admits Route 53's health checkers, whose
 * addresses anyone can aim a health check of their own at: so however often it
 * is asked, an instance asks each database and Redis at most once a second.
 */
const VERDICT_REUSE_MS = 1_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What `/readyz` answers: the status code and a body that names parts, never hosts, errors or versions (it is public). */
interface Readiness {
  readonly code: 200 | 503;
  readonly body: { status: string; failing?: string[]; checks: Record<string, string> };
}

/**
 * `/healthz`: the process is up (the load balancer's check; it never touches
 * a dependency, so a database blip does not take every instance out at once).
 * `/readyz`: the database and, where configured, the cache answer; otherwise
 * 503 naming the failing part ("degraded" when only the cache fails: requests
 * are still served from the database). Route 53's health checks at 10m ask it,
 * so a region whose API cannot reach its databases leaves DNS.
 */
export default async function healthRoutes(app: FastifyInstance) {
  app.get(LIVENESS_PATH, { schema: { summary: 'The process is up: 200 {"status":"ok"} (the load balancer\'s check)' } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  const readiness = atMostOncePer(VERDICT_REUSE_MS, async (): Promise<Readiness> => {
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
    if (failing.length === 0) return { code: 200, body: { status: 'ready', checks } };
    return { code: 503, body: { status: failing.includes('database') ? 'unavailable' : 'degraded', failing, checks } };
  });

  app.get(READINESS_PATH, { schema: { summary: 'The database (and the cache, where configured) answer: 200, or 503 naming the failing part' } }, async (_request, reply) => {
    const { code, body } = await readiness();
    reply.header('cache-control', 'no-store');
    return reply.code(code).send(body);
  });
}
