import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';

/**
 * Only CloudFront reaches the API: CloudFront adds the origin secret in
 * `x-origin-verify`, and the API (the production bundle, as a process) refuses
 * requests without it. Rotation never rejects a request: the previous value
 * stays accepted while CloudFront still sends it.
 */
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:origin-verify-AbCdEf';

describe('origin verification (ORIGIN_VERIFY_SECRET_ARN)', () => {
  let pg: TestPostgres;
  let secrets: SecretsManagerStandIn;
  let api: RunningApi;

  const status = async (path: string, header?: string) =>
    (await fetch(`${api.url}${path}`, { headers: header === undefined ? {} : { 'x-origin-verify': header } })).status;
  const accepted = async (value: string) => (await status('/api/users/1', value)) !== 403;

  beforeAll(async () => {
    pg = await startPostgres();
    secrets = await SecretsManagerStandIn.start({ [SECRET_ARN]: 'first-secret-value-0123456789' });
    api = await startApi({
      databaseUrl: pg.url,
      env: {
        ORIGIN_VERIFY_SECRET_ARN: SECRET_ARN,
        ORIGIN_VERIFY_REFRESH_MS: '1000',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await secrets?.stop();
    await pg?.stop();
  });

  test('a request without the header, or with a wrong one, gets 403 in the contract error shape and reaches no route', async () => {
    const response = await fetch(`${api.url}/api/users/1`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: 'not_through_cdn', message: expect.any(String) } });
    expect(await status('/api/users/1', 'first-secret-value-012345678X')).toBe(403);
    expect(await status('/api/users/1', '')).toBe(403);
    expect(await status('/', 'nope')).toBe(403);
  });

  test('a request carrying the secret is served', async () => {
    expect(await status('/api/users/1', 'first-secret-value-0123456789')).toBe(404);
  });

  test('health checks answer without it (the load balancer and the instance call them directly)', async () => {
    expect(await status('/healthz')).toBe(200);
    expect(await status('/readyz')).toBe(200);
  });

  test('rotation: the new value is accepted within the refresh period and the previous one until the next rotation', async () => {
    secrets.rotate(SECRET_ARN, 'second-secret-value-9876543210');
    const deadline = Date.now() + 15_000;
    while (!(await accepted('second-secret-value-9876543210'))) {
      if (Date.now() > deadline) throw new Error('the rotated value was never accepted');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await accepted('first-secret-value-0123456789')).toBe(true);

    secrets.rotate(SECRET_ARN, 'third-secret-value-5555555555');
    const next = Date.now() + 15_000;
    while (await accepted('first-secret-value-0123456789')) {
      if (Date.now() > next) throw new Error('the value from two rotations ago is still accepted');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await accepted('third-secret-value-5555555555')).toBe(true);
    expect(await accepted('second-secret-value-9876543210')).toBe(true);
  }, 40_000);
});
