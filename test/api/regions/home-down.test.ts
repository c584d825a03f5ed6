import { migrate } from '../../../api/src/db/migrate';
import { freePort } from '../../support/free-port';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { call, expectError, uniqueName } from '../support/http';
import { NOWHERE, twoRegions } from './support/region-app';

/**
 * The production bundle, as processes: region B forwards writes to home (A),
 * which only accepts requests carrying CloudFront's origin secret. When home
 * goes away B answers 503 and keeps running; when home is back B forwards
 * again, with no restart.
 */
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:origin-verify-AbCdEf';
const SECRET = 'origin-secret-value-0123456789';

describe('region B while home is down', () => {
  let pgA: TestPostgres;
  let pgB: TestPostgres;
  let secrets: SecretsManagerStandIn;
  let a: RunningApi | undefined;
  let b: RunningApi;
  let portA: number;

  const startHome = () =>
    startApi({
      databaseUrl: pgA.url,
      port: portA,
      env: {
        ORIGIN_VERIFY_SECRET_ARN: SECRET_ARN,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        REGION_NAME: 'region-a',
        REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: `http://127.0.0.1:${portA}`, b: NOWHERE })),
      },
    });
  const signUp = (headers: Record<string, string> = { 'x-origin-verify': SECRET }) =>
    call(b.url, 'POST', '/api/users', { body: { username: uniqueName('down'), password: 'correct horse battery' }, headers });

  beforeAll(async () => {
    [pgA, pgB] = await Promise.all([startPostgres(), startPostgres()]);
    await migrate(pgB.url);
    secrets = await SecretsManagerStandIn.start({ [SECRET_ARN]: SECRET });
    portA = await freePort();
    a = await startHome();
    b = await startApi({
      databaseUrl: pgB.url,
      env: { REGION_NAME: 'region-b', REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: `http://127.0.0.1:${portA}`, b: NOWHERE })) },
    });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await secrets?.stop();
    await Promise.all([pgA?.stop(), pgB?.stop()]);
  });

  test('an unusable region configuration stops the start: exit status 2, one line naming the variable', async () => {
    const unknown = startApi({ databaseUrl: pgB.url, env: { REGION_NAME: 'region-c', REGION_CONFIG: JSON.stringify(twoRegions('region-a', { a: NOWHERE, b: NOWHERE })) } });
    await expect(unknown).rejects.toThrow(/exited with 2\b.*invalid configuration: REGION_CONFIG is not usable here \(region region-c\): region configuration has no region region-c \(regions: region-a, region-b\)$/s);
  });

  test('the origin-verify header travels with the forwarded request: home accepts it with the header and refuses it without', async () => {
    expect((await signUp()).status).toBe(201);
    expectError(await signUp({}), 403, 'not_through_cdn');
  });

  test('home gone: every forwarded write gets 503 home_unreachable, B stays up and ready; home back: writes go through again', async () => {
    await a!.stop();
    a = undefined;
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      const response = await signUp();
      expectError(response, 503, 'home_unreachable');
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(10).fill(503));
    expect((await call(b.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(b.url, 'GET', '/readyz')).status).toBe(200);
    const stillRunning = await Promise.race([b.exited.then(() => false), new Promise((resolve) => setTimeout(() => resolve(true), 200))]);
    expect(stillRunning).toBe(true);

    a = await startHome();
    expect((await signUp()).status).toBe(201);
  }, 120_000);
});
