import { randomUUID } from 'node:crypto';
import type { TestPostgres } from '../../support/postgres';
import { requestFrom, startForwardingProxy, type ForwardingProxy } from './forwarding-proxy';
import { startTestApp, type TestApp } from '../../support/api-server';
import { jsonLogCapture } from './json-log-capture';

/** Addresses on loopback: each client, and each proxy of the chain, has its own. */
export const CLIENT_A = '127.0.0.5';
export const CLIENT_B = '127.0.0.6';
const CDN = '127.0.0.2';
const LOAD_BALANCER = '127.0.0.3';
export const SPOOFED = '203.0.113.9';

export interface Chain {
  readonly api: TestApp;
  /** Where clients connect: the outermost proxy, or the API itself. */
  readonly entry: string;
  /** `request.ip` as the API logged it for the request with this id. */
  ipOf(requestId: string): string | undefined;
  stop(): Promise<void>;
}

/** The app (TRUST_PROXY as given) behind `hops` forwarding proxies: the CDN, then the load balancer. */
export async function chain(pg: TestPostgres, hops: 0 | 1 | 2, trustProxy: string | undefined): Promise<Chain> {
  const { stream: log, lines } = jsonLogCapture();
  const api = await startTestApp(
    { DATABASE_URL: await pg.createDatabase(), LOG_LEVEL: 'info', REQUEST_LOG: 'all', AUTH_RATE_LIMIT_PER_IP: '3', ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) },
    log,
  );
  const proxies: ForwardingProxy[] = [];
  let entry = api.url;
  // Innermost first: the load balancer forwards to the API, the CDN to the load balancer.
  for (const address of [LOAD_BALANCER, CDN].slice(2 - hops)) {
    const proxy = await startForwardingProxy(address, entry);
    proxies.push(proxy);
    entry = proxy.url;
  }
  return {
    api,
    entry,
    // The request line (api/src/lib/request-log.ts) logs `remoteAddress: request.ip`.
    ipOf: (requestId) => lines.find((line) => line.reqId === requestId && line.msg === 'request completed')?.remoteAddress,
    stop: async () => {
      for (const proxy of proxies) await proxy.stop();
      await api.close();
    },
  };
}

/** A failed log-in (the per-IP limit counts attempts), returning its status and the IP the API saw. */
export async function logIn(c: Chain, from: string, headers: Record<string, string> = {}): Promise<{ status: number; ip: string | undefined }> {
  const id = randomUUID();
  const response = await requestFrom(from, `${c.entry}/api/sessions`, {
    method: 'POST',
    body: { username: `nobody_${id.slice(0, 8)}`, password: 'wrong password' },
    headers: { 'x-request-id': id, ...headers },
  });
  return { status: response.status, ip: c.ipOf(id) };
}
