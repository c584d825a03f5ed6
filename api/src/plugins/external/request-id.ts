import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/**
 * Every response names its request (`X-Request-Id`): the ID its log lines
 * carry as `reqId`, so a client, a support request or a test can find the
 * request's lines (docs/api.md, "Request logging"). An inbound `X-Request-Id`
 * is the request's ID (`requestIdHeader` in app.ts) and comes back unchanged.
 */
export default fp(
  async function requestId(app: FastifyInstance) {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
  },
  { name: 'request-id' },
);
