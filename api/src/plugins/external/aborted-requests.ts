import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/**
 * A request the client gives up on before its answer (CloudFront's origin
 * timeout, a closed tab, a body never finished) never finishes a response,
 * so it gets no request line (lib/request-log.ts): this logs it instead, so
 * every request still leaves exactly one line. No status (none was sent) and
 * no response time (Fastify keeps the start on the reply, which this hook is
 * not given); the line's `time` is when the client went away. Its
 * `remoteAddress` is absent when the closed socket no longer knows it.
 */
export default fp(
  async function abortedRequests(app: FastifyInstance) {
    app.addHook('onRequestAbort', (request, done) => {
      request.log.info({ method: request.method, url: request.url, remoteAddress: request.ip }, 'request aborted');
      done();
    });
  },
  { name: 'aborted-requests' },
);
