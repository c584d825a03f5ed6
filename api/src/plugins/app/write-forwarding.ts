import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../lib/http-error';
import { ForwardError } from '../../regions/forward-error';
import { FORWARDED_FROM_HEADER, HomeForwarder, responseHeaders } from '../../regions/home-forwarder';

declare module 'fastify' {
  interface FastifyInstance {
    /** Stage 10m: sends a request on to the home region and answers with home's response (undefined before 10m). */
    forwardHome: ((request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) | undefined;
  }
  interface FastifyRequest {
    /** Stage 10m: this answer is home's, forwarded (home counts its business event; this region does not count it again). */
    answeredByHome: boolean;
  }
}

/** The methods that write: everything else is served from this region's replicas and cache. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Seconds a client waits before retrying a request the home region did not answer. */
const HOME_RETRY_AFTER_SECONDS = 2;

const isApi = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Writes have one home (docs/region-routing.md). Outside the home region every write
 * under /api (sign-up and log-in included: they write sessions and rate-limit
 * counters) is sent on to the home region's API before anything here reads
 * its body, and home's answer goes back to the client as it streams in: one
 * cross-region round trip on top of home's own latency. Nothing here writes
 * to this region's databases, which are replicas while another region is home.
 *
 * - Home unreachable (down, or its connection broke before it answered):
 *   503 `home_unreachable` with Retry-After, in the error shape; the process
 *   carries on.
 * - A request that was forwarded once already (FORWARDED_FROM_HEADER) is never
 *   forwarded again: the regions disagree about home for a moment during a
 *   failover, and a request bouncing between them would be worse than a 503
 *   `not_home` the client retries.
 * - In the home region (and before stage 10m) nothing is forwarded.
 */
export default fp(
  async function writeForwarding(app: FastifyInstance) {
    app.decorateRequest('answeredByHome', false);
    const region = app.region;
    if (!region) {
      app.decorate('forwardHome', undefined);
      return;
    }
    const forwarder = new HomeForwarder({ region: region.name, idleTimeoutMs: app.config.requestTimeoutMs });
    app.addHook('onClose', async () => forwarder.close());

    const forwardHome = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const home = region.home;
      let answer;
      try {
        answer = await forwarder.forward(request, home.apiUrl);
      } catch (error) {
        const sent = error instanceof ForwardError && error.sent;
        throw new HttpError(
          503,
          'home_unreachable',
          `the home region (${home.name}) did not answer${sent ? '; the request may have reached it' : ''}, retry shortly`,
          { 'retry-after': String(HOME_RETRY_AFTER_SECONDS) },
          { cause: error },
        );
      }
      request.answeredByHome = true;
      reply.code(answer.statusCode ?? 502).headers(responseHeaders(answer.headers));
      // A log-out done at home: this region's copy of the session goes too (home cannot reach this region's Redis).
      if (request.method === 'DELETE' && answer.statusCode === 204 && request.url.split('?')[0] === '/api/sessions') {
        const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (token) await app.sessions.dropCopy?.(token).catch((error: unknown) => request.log.warn({ err: error }, 'could not drop the local copy of a session logged out at home'));
      }
      // Fastify would drop a body on these statuses anyway; the stream must still be read off the connection.
      if (answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD') {
        answer.resume();
        return reply.send();
      }
      return reply.send(answer);
    };
    app.decorate('forwardHome', forwardHome);

    app.addHook('onRequest', async (request, reply) => {
      if (region.isHome || !WRITE_METHODS.has(request.method) || !isApi(request.url)) return;
      const from = request.headers[FORWARDED_FROM_HEADER];
      if (from !== undefined) {
        throw new HttpError(
          503,
          'not_home',
          `this region (${region.name}) is not home and the request was forwarded here already (from ${String(from)}): the regions disagree about home during a change, retry shortly`,
          { 'retry-after': '1' },
        );
      }
      return forwardHome(request, reply);
    });
  },
  { name: 'write-forwarding', dependencies: ['config', 'regions', 'sessions'] },
);
