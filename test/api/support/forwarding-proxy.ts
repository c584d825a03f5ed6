import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardingProxy {
  /** Where clients send requests, e.g. `http://127.0.0.2:41234`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A reverse proxy that forwards as CloudFront and the ALB do: it appends the
 * address of the peer it accepted the connection from to `X-Forwarded-For`
 * (keeping whatever the client sent before it) and sets `X-Forwarded-Proto`.
 * It listens on `listen` (any 127.x.y.z: Linux routes all of 127/8 to
 * loopback) and connects upstream from that same address, so each hop of a
 * chain is seen by the next under its own address.
 */
export async function startForwardingProxy(listen: string, upstream: string): Promise<ForwardingProxy> {
  const target = new URL(upstream);
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const prior = incoming.headers['x-forwarded-for'];
    const forwardedFor = [prior, incoming.socket.remoteAddress].filter(Boolean).join(', ');
    const upstreamRequest = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        localAddress: listen,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host, 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'https' },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstreamRequest.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, listen, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One JSON request sent from a chosen local address (a distinct "client" on loopback). */
export function requestFrom(
  localAddress: string,
  url: string,
  options: { method: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; headers: IncomingMessage['headers']; body: any }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: options.method,
        localAddress,
        headers: { ...options.headers, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text && /json/.test(response.headers['content-type'] ?? '') ? JSON.parse(text) : text });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
