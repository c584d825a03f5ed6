import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ShardMovingError } from '../../db/shard-errors';
import { isDependencyUnavailable } from '../../lib/dependency-errors';
import { HttpError, unavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../lib/http-error';

/** Machine codes for the framework's own client errors. */
const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'unavailable',
};

function codeFor(error: FastifyError, status: number): string {
  if (error.validation) return 'invalid_request';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return 'invalid_json';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'invalid_json';
  return CODES_BY_STATUS[status] ?? 'bad_request';
}

/**
 * Every error leaves as `{"error":{"code","message"}}`. Client errors keep
 * their message; server errors are logged and answered with a generic one, so
 * no query text, connection string or stack reaches a client.
 */
export default fp(
  async function errorShape(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) request.log.warn({ err: error.cause ?? error, code: error.code }, 'request refused: service unavailable');
        reply.headers(error.headers);
        return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
      }
      if ((error as unknown) instanceof ShardMovingError) {
        // Nothing was written; the move's write pause is short, so the client retries soon.
        const moving = error as unknown as ShardMovingError;
        request.log.warn({ shard: moving.shard }, 'write refused: logical shard is moving');
        reply.header('retry-after', String(moving.retryAfterSeconds));
        return reply.code(503).send({ error: { code: 'shard_moving', message: moving.message } });
      }
      if (isDependencyUnavailable(error)) {
        // PostgreSQL or Redis restarting, failing over or unreachable: not a bug, and the client's retry recovers.
        const refused = unavailable('a backing service is', error);
        request.log.warn({ err: error }, 'request failed: a backing service is unavailable');
        reply.headers(refused.headers);
        return reply.code(503).send({ error: { code: refused.code, message: refused.message } });
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        if (status === 503) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        const code = status === 503 ? 'unavailable' : 'internal_error';
        return reply.code(status).send({ error: { code, message: status === 503 ? 'a backing service is unavailable, retry shortly' : 'internal error' } });
      }
      return reply.code(status).send({ error: { code: codeFor(error, status), message: error.message } });
    });
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
    });
  },
  { name: 'error-shape' },
);
