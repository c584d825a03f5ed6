import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RequestLogMode } from '../config/env-config';

/** What an inbound X-Request-Id may be to become the request's ID: a trace ID, a UUID, a CloudFront ID. */
const INBOUND_REQUEST_ID = /^[\w.:=-]{1,128}$/;

/**
 * The request's ID (`reqId` in its log lines, echoed as X-Request-Id): the
 * caller's own X-Request-Id when it looks like an ID, so a client, a proxy or
 * the home forwarder (regions/home-forwarder.ts) can follow one request
 * through; else CloudFront's X-Amz-Cf-Id (added to every request it sends an
 * origin), which is the `x-edge-request-id` of the request's line in
 * CloudFront's standard log; otherwise a random UUID. Anything else a client sends (a kilobyte,
 * a line of JSON) is neither logged nor echoed.
 */
export function requestIdOf(request: IncomingMessage): string {
  for (const header of ['x-request-id', 'x-amz-cf-id']) {
    const inbound = request.headers[header];
    if (typeof inbound === 'string' && INBOUND_REQUEST_ID.test(inbound)) return inbound;
  }
  return randomUUID();
}

export interface RequestLogOptions {
  /** @default 'problems' */
  readonly mode: RequestLogMode;
  /** A request at least this slow is a problem. @default 1000 */
  readonly slowMs: number;
}

/**
 * At most one log line per request, written when the response is done
 * (docs/api.md, "Request logging"). Fastify's own controller writes two,
 * "incoming request" on arrival and "request completed" when answered.
 *
 * The line is built from fixed fields only, never headers or bodies: the
 * request ID (`reqId`, from the child logger), method, URL (path and query:
 * no route takes a credential in its query), the client's address as the API
 * resolved it (`request.ip`, through TRUST_PROXY: what the rate limits count),
 * status code and response time in milliseconds. With no `req` key in it,
 * pino's redaction (keyed on `req`) does not walk it. A 5xx's error is the
 * error handler's own line under the same `reqId`; a request the client
 * abandons is plugins/external/aborted-requests.ts's.
 *
 * With `problems` (the default) a fast success writes nothing: building and
 * writing its line was a third of a cached read's CPU (issue 18: 0.043 ms per
 * request with the line, 0.028 without), every request is already in
 * CloudFront's standard log (every stage; its `x-edge-request-id` is the
 * request ID here, requestIdOf) and counted in the metrics.
 */
export class RequestLog extends LogController {
  constructor(private readonly options: RequestLogOptions) {
    super();
  }

  override incomingRequest(): void {
    // Nothing at arrival: the completed line says all of it.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const statusCode = reply.statusCode;
    const responseTime = reply.elapsedTime;
    if (!error && this.options.mode === 'problems' && statusCode < 400 && responseTime < this.options.slowMs) return;
    const line = { method: request.method, url: request.url, remoteAddress: request.ip, statusCode, responseTime };
    // An error here is the response stream's own (a write to the socket failed).
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
