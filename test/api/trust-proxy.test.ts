import { startPostgres, type TestPostgres } from '../support/postgres';
import { CLIENT_A, CLIENT_B, SPOOFED, chain, logIn } from './support/proxy-chain';

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
