import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiTarget } from './api-calls';

/** Where CloudFront sends an API request now, or what it answers instead. */
export type OriginRoute =
  | {
      /** The API's base URL on the instance that receives it (through the load balancer, from 1k). */
      readonly target: string;
      /** Headers the origin gets besides the viewer's (the origin secret). */
      readonly headers: Readonly<Record<string, string>>;
      /** An address the load balancer appends to X-Forwarded-For (CloudFront's VPC origin interface). */
      readonly forwardedBy?: string;
    }
  | {
      /** The status CloudFront (or the load balancer behind it) answers. */
      readonly status: number;
      readonly reason: string;
    };

/** Gives up on the origin after this long, as CloudFront's origin timeouts do (then 504). */
const ORIGIN_TIMEOUT_MS = 8_000;

/**
 * CloudFront as the site's users reach it: one address for the whole stage change, whatever serves
 * the API behind it (the single instance, then the fleet behind its load balancer). Each request
 * goes where `route()` says at that moment, from the deployed templates: it forwards to the origin
 * with the headers CloudFront adds, or answers what CloudFront would when the origin cannot be
 * reached — 504 when a security group drops the connection, 502 when nothing listens, and the
 * load balancer's 503 when it has no target. X-Forwarded-For is passed on as the viewer sent it
 * (the write ledger plays the viewers, as CloudFront's appended address).
 */
export class CloudFrontStandIn {
  /** Answers given instead of forwarding, by status (with the last reason), for the test's log. */
  public readonly refusals = new Map<number, string>();

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
  ) {}

  public static async start(route: () => OriginRoute): Promise<CloudFrontStandIn> {
    let standIn: CloudFrontStandIn | undefined;
    const server = createServer((req, res) => standIn!.handle(req, res, route()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn = new CloudFrontStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return standIn;
  }

  /** The API as users reach it (CloudFront adds the origin secret itself). */
  public get api(): ApiTarget {
    return { base: this.endpoint, headers: {} };
  }

  private handle(req: IncomingMessage, res: ServerResponse, route: OriginRoute): void {
    if ('status' in route) {
      this.refusals.set(route.status, route.reason);
      req.resume();
      res.writeHead(route.status, { 'content-type': 'text/plain', 'x-cache': 'Error from cloudfront' });
      res.end(`${route.status}: ${route.reason}\n`);
      return;
    }
    const target = new URL(req.url ?? '/', route.target);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && name !== 'host') headers[name] = value;
    Object.assign(headers, route.headers);
    if (route.forwardedBy) headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], route.forwardedBy].filter(Boolean).join(', ');
    const upstream = request(target, { method: req.method, headers, timeout: ORIGIN_TIMEOUT_MS }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    let failed = false;
    const fail = (status: number, reason: string) => {
      if (failed) return;
      failed = true;
      this.refusals.set(status, reason);
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain', 'x-cache': 'Error from cloudfront' });
        res.end(`${status}: ${reason}\n`);
      } else res.destroy();
    };
    upstream.on('timeout', () => {
      upstream.destroy();
      fail(504, `the origin did not answer within ${ORIGIN_TIMEOUT_MS / 1000} s`);
    });
    upstream.on('error', (error) => fail(502, `the origin refused the connection (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    req.pipe(upstream);
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
