import { migrate } from '../../../api/src/db/migrate';
import { sql } from '../../support/postgres-servers';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { SsmStandIn } from '../../support/ssm-stand-in';
import { call, uniqueName } from '../support/http';
import { NOWHERE, twoRegions } from './support/region-app';

/**
 * The production bundle reading REGION_CONFIG_PARAMETER through the AWS SDK
 * (SSM's GetParameter against the stand-in, as region B's instances read
 * their region's copy): home moves without a restart, SSM unreachable changes
 * nothing and ends nothing, a stale lower epoch never moves home back.
 */
const PARAMETER = '/graminsta/region-config';

describe('region B following the region configuration parameter (production bundle, SSM through the SDK)', () => {
  let pgA: TestPostgres;
  let pgB: TestPostgres;
  let ssm: SsmStandIn;
  let a: RunningApi;
  let b: RunningApi;
  let urls: { a: string; b: string };

  const signUpVia = async (api: RunningApi) => {
    const username = uniqueName('param');
    const response = await call(api.url, 'POST', '/api/users', { body: { username, password: 'correct horse battery' } });
    expect(response.status).toBe(201);
    const count = async (url: string) => (await sql(url, 'SELECT 1 FROM users WHERE username = $1', [username])).length;
    return [await count(pgA.url), await count(pgB.url)];
  };
  const until = async (condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    [pgA, pgB] = await Promise.all([startPostgres(), startPostgres()]);
    // B's server stands in for A's replica promoted in a failover: it has A's schema.
    await migrate(pgB.url);
    ssm = await SsmStandIn.start();
    a = await startApi({ databaseUrl: pgA.url });
    urls = { a: a.url, b: NOWHERE };
    ssm.put('region-b', PARAMETER, JSON.stringify(twoRegions('region-a', urls, 1)));
    b = await startApi({ databaseUrl: pgB.url, env: { ...ssm.environment('region-b'), REGION_CONFIG_PARAMETER: PARAMETER, REGION_CONFIG_REFRESH_MS: '200' } });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await ssm?.stop();
    await Promise.all([pgA?.stop(), pgB?.stop()]);
  });

  test('read at start: B (named by AWS_REGION) forwards to home A', async () => {
    expect(await signUpVia(b)).toEqual([1, 0]);
  });

  test('SSM unreachable: B keeps the configuration in hand and keeps serving', async () => {
    ssm.setReachable('region-b', false);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await signUpVia(b)).toEqual([1, 0]);
      expect((await call(b.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      ssm.setReachable('region-b', true);
    }
  });

  test('home moved to B (epoch 2): B writes locally without a restart; a stale epoch-1 copy never moves it back', async () => {
    ssm.put('region-b', PARAMETER, JSON.stringify(twoRegions('region-b', urls, 2)));
    await until(async () => (await signUpVia(b))[1] === 1);
    ssm.put('region-b', PARAMETER, JSON.stringify(twoRegions('region-a', urls, 1)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await signUpVia(b)).toEqual([0, 1]);
    const stillRunning = await Promise.race([b.exited.then(() => false), new Promise((resolve) => setTimeout(() => resolve(true), 100))]);
    expect(stillRunning).toBe(true);
  });
});
