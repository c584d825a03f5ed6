import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ActiveUsers } from '../../metrics/active-users';
import { ApiMetrics } from '../../metrics/api-metrics';
import { routeLabel } from '../../metrics/route-label';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

/** Where a Prometheus scraper is served from. */
export const METRICS_PATH = '/metrics';

/** The TCP peer is this machine (never read from X-Forwarded-For, which a client writes). */
function fromLoopback(request: FastifyRequest): boolean {
  const peer = request.socket.remoteAddress ?? '';
  return peer === '::1' || /^(::ffff:)?127\./.test(peer);
}

/**
 * Request and business metrics (docs/metrics.md). Every answer is recorded in
 * memory by an onResponse hook; every METRICS_FLUSH_SECONDS (and at close)
 * the interval's figures go out as EMF lines through the app's own log
 * stream, which the CloudWatch agent already ships, so publishing costs no
 * AWS call. With METRICS_ENDPOINT, `GET /metrics` serves the same figures in
 * the Prometheus text format to loopback peers only; anyone else, and
 * everyone when it is off, gets the ordinary 404.
 * Registered after the cache (the active-user count and the hit ratio use it)
 * and before every route (the hook must see them all).
 */
export default fp(
  async function metrics(app: FastifyInstance) {
    const { metricsEndpoint, metricsFlushSeconds } = app.config;
    // Its own level: metrics are published whatever LOG_LEVEL hides.
    const emfLog = app.log.child({}, { level: 'info' });
    const apiMetrics = new ApiMetrics({
      activeUsers: new ActiveUsers(app.redis),
      write: (document) => emfLog.info(document, 'metrics'),
      prometheus: metricsEndpoint,
    });
    app.decorate('metrics', apiMetrics);
    app.userCache?.onLookup((hit) => apiMetrics.cacheLookup(hit));

    app.addHook('onResponse', async (request, reply) => {
      apiMetrics.request(routeLabel(request), reply.statusCode, reply.elapsedTime, request.session?.userId, request.answeredByHome);
    });

    const flush = () => apiMetrics.flush().catch((error: Error) => app.log.warn({ err: error }, 'metrics: flush failed'));
    const timer = setInterval(flush, metricsFlushSeconds * 1000);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await flush();
    });

    const prometheus = apiMetrics.prometheus;
    if (prometheus) {
      app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
        if (!fromLoopback(request)) return reply.callNotFound();
        const { text, contentType } = await prometheus.render();
        return reply.type(contentType).header('cache-control', 'no-store').send(text);
      });
    }
  },
  { name: 'metrics', dependencies: ['config', 'cache'] },
);
