import { STAGE_NAMES, type StageName } from '../../stages/ladder';
import { apiEnvFile, templateJson } from '../lib/stacks/stage-templates';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { CLIENT_A, CLIENT_B, SPOOFED, chain, logIn } from './support/proxy-chain';

/**
 * Issue 19: at every stage the API sees the real client address through the
 * proxies that stage really has, with the TRUST_PROXY its template sets. The
 * chain is counted from the synthesized templates, not from the stage spec:
 * the distribution (every stage), then the load balancer where there is one
 * (at 10m one of two, whichever way a request comes).
 */
function proxiesOf(stage: StageName): 1 | 2 {
  const app = Object.values(templateJson(stage, 'App').Resources as Record<string, { Type: string }>);
  const count = (type: string) => app.filter((r) => r.Type === type).length;
  expect(count('AWS::CloudFront::Distribution')).toBe(1);
  // At 10m the App stack has two load balancers (the internet-facing origin and the internal one a
  // forwarded write from the other region reaches), but every request crosses exactly one of them.
  return count('AWS::ElasticLoadBalancingV2::LoadBalancer') >= 1 ? 2 : 1;
}

describe.each(STAGE_NAMES.map((s) => [s]))('stage %s: the client address through the stage\'s own proxies', (stage) => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  test('request.ip is the client whatever X-Forwarded-For it sends, and the per-IP log-in limit tells two clients apart', async () => {
    const c = await chain(pg, proxiesOf(stage), apiEnvFile(stage).TRUST_PROXY);
    try {
      expect(await logIn(c, CLIENT_A)).toEqual({ status: 401, ip: CLIENT_A });
      expect(await logIn(c, CLIENT_A, { 'x-forwarded-for': SPOOFED })).toEqual({ status: 401, ip: CLIENT_A });
      // AUTH_RATE_LIMIT_PER_IP is 3 in the chain: the third attempt of A is its last, B still has its own.
      expect((await logIn(c, CLIENT_A, { 'x-forwarded-for': `${SPOOFED}, 198.51.100.7` })).status).toBe(401);
      expect((await logIn(c, CLIENT_A)).status).toBe(429);
      expect(await logIn(c, CLIENT_B)).toEqual({ status: 401, ip: CLIENT_B });
    } finally {
      await c.stop();
    }
  });
});
