import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** What an inbound X-Request-Id may be to become the request's ID: a trace ID, a UUID, a CloudFront ID. */
const INBOUND_REQUEST_ID = /^[\w.:=-]{1,128}$/;

/**
 * The request's ID (`reqId` in its log lines, echoed as X-Request-Id): the
 * caller's own X-Request-Id when it looks like an ID, so a client, a proxy or
 * the home forwarder (regions/home-forwarder.ts) can follow one request
 * through; otherwise a random UUID. Anything else a client sends (a kilobyte,
 * a line of JSON) is neither logged nor echoed.
 */
export function requestIdOf(request: IncomingMessage): string {
  const inbound = request.headers['x-request-id'];
  return typeof inbound === 'string' && INBOUND_REQUEST_ID.test(inbound) ? inbound : randomUUID();
}

/**
 * One log line per request, written when the response is done (docs/api.md,
 * "Request logging"). Fastify's own controller writes two, "incoming request"
 * on arrival and "request completed" when answered: logging was 13-16 % of a
 * cached read's CPU with them (bench/results/profile-findings.md).
 *
 * The line is built from fixed fields only, never headers or bodies: the
 * request ID (`reqId`, from the child logger), method, URL (path and query:
 * no route takes a credential in its query), the client's address as the API
 * resolved it (`request.ip`, through TRUST_PROXY: what the rate limits count),
 * status code and response time in milliseconds. With no `req` key in it,
 * pino's redaction (keyed on `req`) does not walk it. A 5xx's error is the
 * error handler's own line under the same `reqId`; a request the client
 * abandons is plugins/external/aborted-requests.ts's.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // Nothing at arrival: the completed line says all of it.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, remoteAddress: request.ip, statusCode: reply.statusCode, responseTime: reply.elapsedTime };
    // An error here is the response stream's own (a write to the socket failed).
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
