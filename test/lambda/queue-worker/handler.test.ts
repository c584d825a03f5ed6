import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;
type SecretString = string | undefined;

const loaded: Array<{ close(): Promise<void> }> = [];

/**
 * A fresh copy of the handler module (its connection is per module). Secrets
 * Manager has no local server here, so its one call is mocked, on the copy of
 * the SDK that this handler copy loads; Redis is real.
 */
function loadHandler(secretString?: SecretString): Handler {
  let handler!: Handler;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const sm = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    mockClient(sm.SecretsManagerClient).on(sm.GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: secretString });
    const mod = require('../../../lambda/queue-worker/index');
    /* eslint-enable @typescript-eslint/no-require-imports */
    handler = mod.handler;
    loaded.push(mod);
  });
  return handler;
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redis';

const event = (body: unknown): SQSEvent => ({ Records: [{ messageId: 'm1', body: JSON.stringify(body) }] }) as unknown as SQSEvent;
const fanout = { type: 'feed.fanout', version: 1, photoId: '500', authorId: '1', createdAt: '2026-11-25T10:00:00Z', followerIds: ['21', '22'] };

describeWithRedis('queue worker handler (SQS batch in, feeds in Redis)', () => {
  let server: TestRedis;
  let admin: Redis;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    process.env = saved;
    for (const mod of loaded) await mod.close();
    admin?.disconnect();
    await server?.stop();
  });

  test('without an AUTH secret, fans out to the URL it is given', async () => {
    process.env = { ...saved, REDIS_URL: server.url, REDIS_CLUSTER: 'false' };
    const result = await loadHandler()(event(fanout));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await admin.zrange('feed:21', '0', '-1')).toEqual(['500']);
  });

  test('authenticates with the password field of REDIS_AUTH_SECRET_ARN', async () => {
    await admin.config('SET', 'requirepass', 'token-from-the-secret');
    await admin.auth('token-from-the-secret');
    try {
      process.env = { ...saved, REDIS_URL: server.url, REDIS_CLUSTER: 'false', REDIS_AUTH_SECRET_ARN: SECRET_ARN, AWS_REGION: 'us-east-1' };
      const result = await loadHandler(JSON.stringify({ password: 'token-from-the-secret' }))(event({ ...fanout, photoId: '501' }));
      expect(result).toEqual({ batchItemFailures: [] });
      expect(await admin.zrange('feed:22', '0', '-1')).toEqual(['500', '501']);
    } finally {
      await admin.config('SET', 'requirepass', '');
    }
  });

  test('a secret without a password field fails the whole batch (it is retried, nothing is written)', async () => {
    process.env = { ...saved, REDIS_URL: server.url, REDIS_AUTH_SECRET_ARN: SECRET_ARN, AWS_REGION: 'us-east-1' };
    await expect(loadHandler('{}')(event({ ...fanout, photoId: '502' }))).rejects.toThrow('no "password" field');
    expect(await admin.zscore('feed:21', '502')).toBeNull();
  });
});
