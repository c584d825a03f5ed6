import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { requestFrom, startForwardingProxy, type ForwardingProxy } from './support/forwarding-proxy';
import { startTestApp, type TestApp } from './support/test-app';

/** Addresses on loopback: each client, and each proxy of the chain, has its own. */
const CLIENT_A = '127.0.0.5';
const CLIENT_B = '127.0.0.6';
const CDN = '127.0.0.2';
const LOAD_BALANCER = '127.0.0.3';
const SPOOFED = '203.0.113.9';

interface Chain {
  readonly api: TestApp;
  /** Where clients connect: the outermost proxy, or the API itself. */
  readonly entry: string;
  /** `request.ip` as the API logged it for the request with this id. */
  ipOf(requestId: string): string | undefined;
  stop(): Promise<void>;
}

/** The app (TRUST_PROXY as given) behind `hops` forwarding proxies: the CDN, then the load balancer. */
async function chain(pg: TestPostgres, hops: 0 | 1 | 2, trustProxy: string | undefined): Promise<Chain> {
  const lines: Record<string, any>[] = [];
  const log = new PassThrough();
  let partial = '';
  log.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
  });
  const api = await startTestApp(
    { DATABASE_URL: await pg.createDatabase(), LOG_LEVEL: 'info', AUTH_RATE_LIMIT_PER_IP: '3', ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) },
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
    // Fastify's request serializer logs `remoteAddress: request.ip`.
    ipOf: (requestId) => lines.find((line) => line.reqId === requestId && line.msg === 'incoming request')?.req?.remoteAddress,
    stop: async () => {
      for (const proxy of proxies) await proxy.stop();
      await api.close();
    },
  };
}

/** A failed log-in (the per-IP limit counts attempts), returning its status and the IP the API saw. */
async function logIn(c: Chain, from: string, headers: Record<string, string> = {}): Promise<{ status: number; ip: string | undefined }> {
  const id = randomUUID();
  const response = await requestFrom(from, `${c.entry}/api/sessions`, {
    method: 'POST',
    body: { username: `nobody_${id.slice(0, 8)}`, password: 'wrong password' },
    headers: { 'x-request-id': id, ...headers },
  });
  return { status: response.status, ip: c.ipOf(id) };
}

/**
 * Issue 14, defect 2: `request.ip` (and so every per-IP limit) behind one and
 * two proxies, and a client-written X-Forwarded-For never taken for it.
 */
describe('TRUST_PROXY: the client address behind proxies', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  test('behind the CDN and the load balancer (TRUST_PROXY=2) request.ip is the client, whatever X-Forwarded-For it sends', async () => {
    const c = await chain(pg, 2, '2');
    try {
      expect(await logIn(c, CLIENT_A)).toEqual({ status: 401, ip: CLIENT_A });
      expect(await logIn(c, CLIENT_A, { 'x-forwarded-for': SPOOFED })).toEqual({ status: 401, ip: CLIENT_A });
      expect(await logIn(c, CLIENT_A, { 'x-forwarded-for': `${SPOOFED}, 198.51.100.7` })).toEqual({ status: 401, ip: CLIENT_A });
    } finally {
      await c.stop();
    }
  });

  test('behind one proxy (TRUST_PROXY=1) request.ip is the client, whatever X-Forwarded-For it sends', async () => {
    const c = await chain(pg, 1, '1');
    try {
      expect(await logIn(c, CLIENT_A)).toEqual({ status: 401, ip: CLIENT_A });
      expect(await logIn(c, CLIENT_A, { 'x-forwarded-for': SPOOFED })).toEqual({ status: 401, ip: CLIENT_A });
    } finally {
      await c.stop();
    }
  });

  test('with no proxy (TRUST_PROXY unset) a client-written X-Forwarded-For is ignored', async () => {
    const c = await chain(pg, 0, undefined);
    try {
      expect(await logIn(c, CLIENT_A, { 'x-forwarded-for': SPOOFED })).toEqual({ status: 401, ip: CLIENT_A });
    } finally {
      await c.stop();
    }
  });

  test('per-IP log-in limits behind two proxies: one client is refused, another behind the same edge is not, and rotating X-Forwarded-For does not escape', async () => {
    const c = await chain(pg, 2, '2');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await logIn(c, CLIENT_A, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect((await logIn(c, CLIENT_B)).status).toBe(401);
    } finally {
      await c.stop();
    }
  });
});
