import type { SQSRecord } from 'aws-lambda';
import { Redis } from 'ioredis';
import { FEED_MAX_ITEMS, FEED_TTL_SECONDS, feedKey, redisFeedStore } from '../../../lambda/queue-worker/feed-store';
import { processBatch } from '../../../lambda/queue-worker/process-batch';
import { connectRedis, redisSettingsFromEnv } from '../../../lambda/queue-worker/redis-connection';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';

function record(messageId: string, body: unknown): SQSRecord {
  return { messageId, body: typeof body === 'string' ? body : JSON.stringify(body) } as SQSRecord;
}

function fanout(photoId: string, createdAt: string, followerIds: string[]) {
  return { type: 'feed.fanout', version: 1, photoId, authorId: '1', createdAt, followerIds };
}

/** Resolves once the client is connected (it may already be). */
function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

const quietLog = { errors: [] as unknown[], error(_m: string, detail: Record<string, unknown>) { this.errors.push(detail); } };

describe('redisSettingsFromEnv', () => {
  test('reads the API variable names', () => {
    expect(redisSettingsFromEnv({ REDIS_URL: 'rediss://c.example:6379', REDIS_CLUSTER: 'true', REDIS_AUTH_SECRET_ARN: 'arn:x' })).toEqual({ url: 'rediss://c.example:6379', cluster: true, authSecretArn: 'arn:x' });
  });
  test('rejects a missing URL and a bad cluster flag, naming the variable', () => {
    expect(() => redisSettingsFromEnv({})).toThrow('REDIS_URL must be');
    expect(() => redisSettingsFromEnv({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER: 'yes' })).toThrow('REDIS_CLUSTER must be');
  });
});

describeWithRedis('processBatch with a real Redis', () => {
  let server: TestRedis;
  let worker: Redis;
  let observer: Redis;
  beforeAll(async () => {
    server = await startRedis();
    worker = connectRedis(redisSettingsFromEnv({ REDIS_URL: server.url })) as Redis;
    observer = new Redis(server.url);
  });
  afterAll(async () => {
    worker?.disconnect();
    observer?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await observer.flushdb();
    quietLog.errors = [];
  });

  test('fans a photo out to every follower feed, newest first, with a TTL', async () => {
    const store = redisFeedStore(worker);
    const result = await processBatch(
      [record('m1', fanout('100', '2026-11-25T10:00:00Z', ['11', '12'])), record('m2', fanout('101', '2026-11-25T11:00:00Z', ['11']))],
      store,
      quietLog,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await observer.zrevrange(feedKey('11'), 0, -1)).toEqual(['101', '100']);
    expect(await observer.zrevrange(feedKey('12'), 0, -1)).toEqual(['100']);
    const ttl = await observer.ttl(feedKey('11'));
    expect(ttl).toBeGreaterThan(FEED_TTL_SECONDS - 60);
  });

  test('is idempotent: a redelivered message does not duplicate the photo', async () => {
    const store = redisFeedStore(worker);
    const message = record('m1', fanout('100', '2026-11-25T10:00:00Z', ['11']));
    await processBatch([message], store, quietLog);
    await processBatch([message], store, quietLog);
    expect(await observer.zcard(feedKey('11'))).toBe(1);
  });

  test('keeps only the newest items of a feed', async () => {
    const store = redisFeedStore(worker);
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < FEED_MAX_ITEMS + 5; i++) await store.add(['11'], String(1000 + i), base + i * 1000);
    expect(await observer.zcard(feedKey('11'))).toBe(FEED_MAX_ITEMS);
    expect(await observer.zrevrange(feedKey('11'), 0, 0)).toEqual([String(1000 + FEED_MAX_ITEMS + 4)]);
    expect(await observer.zscore(feedKey('11'), '1000')).toBeNull();
  });

  test('a retract removes the photo from the given feeds', async () => {
    const store = redisFeedStore(worker);
    await processBatch([record('m1', fanout('100', '2026-11-25T10:00:00Z', ['11', '12']))], store, quietLog);
    await processBatch([record('m2', { type: 'feed.retract', version: 1, photoId: '100', followerIds: ['11'] })], store, quietLog);
    expect(await observer.zcard(feedKey('11'))).toBe(0);
    expect(await observer.zcard(feedKey('12'))).toBe(1);
  });

  test('reports only the bad items as failures and still applies the good ones', async () => {
    const store = redisFeedStore(worker);
    const result = await processBatch([record('good', fanout('100', '2026-11-25T10:00:00Z', ['11'])), record('bad', '{"type":"feed.fanout"')], store, quietLog);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(await observer.zcard(feedKey('11'))).toBe(1);
    expect(quietLog.errors).toEqual([expect.objectContaining({ messageId: 'bad', error: 'InvalidMessageError' })]);
  });

  test('reports every item as failed while Redis is down, and succeeds once it is back', async () => {
    const down = new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 });
    await ready(down);
    await server.stop();
    const store = redisFeedStore(down);
    const result = await processBatch([record('a', fanout('100', '2026-11-25T10:00:00Z', ['11'])), record('b', fanout('101', '2026-11-25T10:00:00Z', ['12']))], store, quietLog);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
    await server.start();
    await ready(down);
    expect(await processBatch([record('a', fanout('100', '2026-11-25T10:00:00Z', ['11']))], store, quietLog)).toEqual({ batchItemFailures: [] });
    down.disconnect();
    // The long-lived clients reconnect to the restarted server by themselves.
  });
});
