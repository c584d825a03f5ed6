import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { ForwardError } from './forward-error';

/**
 * The loop guard: set on every forwarded request, naming the region that
 * forwarded it. A region that receives it answers the request itself or
 * refuses it, and never forwards it again.
 */
export const FORWARDED_FROM_HEADER = 'x-graminsta-forwarded-from';

/** What is forwarded of a request (a Fastify request fits). */
export interface ForwardedRequest {
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The client's address as this API resolved it (TRUST_PROXY). */
  readonly ip: string;
  readonly protocol: string;
  readonly host: string;
  readonly id: string;
  /** The body, not read yet: streamed as it arrives. */
  readonly raw: Readable;
}

export interface HomeForwarderOptions {
  /** This API's region: the loop guard's value. */
  readonly region: string;
  /** Longest silence (no byte either way) on a forwarded request before it fails. */
  readonly idleTimeoutMs: number;
  /** Longest wait for a new connection to home. @default 3000 */
  readonly connectTimeoutMs?: number;
}

/**
 * Connection-level headers (RFC 9110 §7.6.1) and what the forwarder sets
 * itself: never copied from one hop to the next.
 */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', FORWARDED_FROM_HEADER]);

/**
 * An idle pooled connection is closed after this long, before any server
 * would (Node's and the load balancer's keep-alive timeouts are longer), so a
 * forward never goes out on a connection the other end is closing.
 */
const IDLE_SOCKET_MS = 4_000;

/** Response headers to pass on to the client: the home API's, less the hop's own. */
export function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
  return out;
}

/**
 * Sends a request on to the home region's API over kept-alive connections
 * (one cross-region round trip per request once a connection is open), the
 * body streamed as it arrives, and resolves with home's response, its body
 * not read yet.
 *
 * Client address: home resolves it with its own TRUST_PROXY, as for any
 * request. This API stands where CloudFront stands for home (the path
 * forwarder → home's load balancer → home has the same hops as CloudFront →
 * load balancer → home), so `X-Forwarded-For` carries exactly the address
 * this API resolved, as CloudFront's does: home's `request.ip` is the
 * client's, and what the client wrote in the header itself goes no further.
 * The origin-verify header (CloudFront's secret) and the rest go on as they came.
 */
export class HomeForwarder {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' });

  constructor(private readonly options: HomeForwarderOptions) {}

  forward(request: ForwardedRequest, baseUrl: string): Promise<IncomingMessage> {
    const target = new URL(`${baseUrl}${request.url}`);
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
    headers['x-forwarded-for'] = request.ip;
    headers['x-forwarded-proto'] = request.protocol;
    headers['x-forwarded-host'] = request.host;
    headers['x-request-id'] = request.id;
    headers[FORWARDED_FROM_HEADER] = this.options.region;
    const https = target.protocol === 'https:';
    return new Promise<IncomingMessage>((resolve, reject) => {
      let sent = false;
      const outgoing = (https ? httpsRequest : httpRequest)(target, { method: request.method, headers, agent: https ? this.httpsAgent : this.httpAgent });
      const fail = (error: Error) => reject(new ForwardError(`no answer from home (${target.host}): ${error.message}`, sent, { cause: error }));
      outgoing.on('error', fail);
      outgoing.once('response', resolve);
      outgoing.once('finish', () => (sent = true));
      outgoing.setTimeout(this.options.idleTimeoutMs, () => outgoing.destroy(new Error(`silent for ${this.options.idleTimeoutMs} ms`)));
      outgoing.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => outgoing.destroy(new Error('connect timed out')), this.options.connectTimeoutMs ?? 3_000);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      // A client that goes away mid-body takes the forwarded request with it.
      pipeline(request.raw, outgoing, () => undefined);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
