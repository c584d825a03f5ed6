import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { redisFeedStore, type FeedStore } from './feed-store';
import { processBatch } from './process-batch';
import { connectRedis, redisSettingsFromEnv } from './redis-connection';

// One connection per execution environment, opened on the first batch.
let store: Promise<FeedStore> | undefined;

async function openStore(): Promise<FeedStore> {
  const settings = redisSettingsFromEnv(process.env);
  let password: string | undefined;
  if (settings.authSecretArn) {
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: settings.authSecretArn }));
    password = (JSON.parse(secret.SecretString ?? '{}') as { password?: string }).password;
    if (!password) throw new Error('the Redis AUTH secret has no "password" field');
  }
  return redisFeedStore(connectRedis(settings, password));
}

const log = { error: (message: string, detail: Record<string, unknown>) => console.error(JSON.stringify({ message, ...detail })) };

/** Closes the Redis connection, if one was opened (local runs and tests). */
export async function close(): Promise<void> {
  const opened = store;
  store = undefined;
  if (opened) await (await opened.catch(() => undefined))?.close();
}

/** SQS work queue → feed fan-out in Redis, reporting failed items only. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  store ??= openStore().catch((error) => {
    store = undefined; // try again on the next batch
    throw error;
  });
  return processBatch(event.Records, await store, log);
}
