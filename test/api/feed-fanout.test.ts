import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import type { SQSRecord } from 'aws-lambda';
import { processBatch } from '../../lambda/queue-worker/process-batch';
import { redisFeedStore } from '../../lambda/queue-worker/feed-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../support/redis';
import { call, newUser } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Fan-out on write (1m): the API sends work messages to SQS (mocked: no SQS
 * runs here), the real queue-worker logic applies them to a real Redis, and the
 * API's feed reads the result.
 */
describeWithRedis('feed fan-out through the work queue', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let inspect: Redis;
  let api: TestApp;
  const sqs = mockClient(SQSClient);
  const sent: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    inspect = new Redis(redis.url);
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { MessageBody: string }[] }) => {
      sent.push(...input.Entries.map((entry) => entry.MessageBody));
      return { Successful: input.Entries.map((_entry, i) => ({ Id: String(i), MessageId: `m${sent.length + i}`, MD5OfMessageBody: '' })), Failed: [] };
    });
    api = await startTestApp({
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/work',
      AWS_REGION: 'eu-west-1',
    });
  });
  afterAll(async () => {
    await api?.close();
    sqs.restore();
    inspect?.disconnect();
    await redis?.stop();
    await pg?.stop();
  });

  /** Runs the queue worker's own batch logic on everything the API has sent so far. */
  async function drainQueue(): Promise<void> {
    const records = sent.splice(0).map((body, i) => ({ messageId: `m${i}`, body }) as SQSRecord);
    const result = await processBatch(records, redisFeedStore(inspect), { error: () => undefined });
    expect(result.batchItemFailures).toEqual([]);
  }

  async function waitForMessages(count: number): Promise<void> {
    for (let i = 0; i < 100 && sent.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  test('a new photo is sent as feed.fanout to its author’s followers; the worker fills feed:<id>; the feed serves it', async () => {
    const author = await newUser(api.url, 'auth');
    const fan = await newUser(api.url, 'fan');
    await call(api.url, 'PUT', `/api/users/${author.id}/follow`, { token: fan.token });
    const { photo } = (await call(api.url, 'POST', '/api/photos', { token: author.token, body: { caption: 'q', contentType: 'image/png', size: 1 } })).body;
    await waitForMessages(1);
    expect(JSON.parse(sent[0])).toEqual({ type: 'feed.fanout', version: 1, photoId: photo.id, authorId: author.id, createdAt: photo.createdAt, followerIds: [fan.id] });
    await drainQueue();
    expect(await inspect.zrange(`feed:${fan.id}`, "0", "-1")).toEqual([photo.id]);
    const fromSet = jest.spyOn(api.app.photos, 'getMany');
    const feed = await call(api.url, 'GET', '/api/feed', { token: fan.token });
    expect(feed.body.items.map((p: { id: string }) => p.id)).toEqual([photo.id]);
    // The page was built from the precomputed set (photos looked up by the IDs in it).
    expect(fromSet).toHaveBeenCalledWith([photo.id], false);
    fromSet.mockRestore();
  });

  test('the precomputed feed is a cache: older photos come from the database, unfollowed authors drop out, deletes retract', async () => {
    const me = await newUser(api.url, 'me');
    const a = await newUser(api.url, 'a');
    const b = await newUser(api.url, 'b');
    const create = async (token: string) => (await call(api.url, 'POST', '/api/photos', { token, body: { caption: '', contentType: 'image/png', size: 1 } })).body.photo.id as string;
    // Photos from before the follow exist only in the database.
    const oldA = await create(a.token);
    await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: me.token });
    await call(api.url, 'PUT', `/api/users/${b.id}/follow`, { token: me.token });
    const newB = await create(b.token);
    const newA = await create(a.token);
    await waitForMessages(2);
    await drainQueue();
    expect(await inspect.zcard(`feed:${me.id}`)).toBe(2);

    const page1 = await call(api.url, 'GET', '/api/feed?limit=2', { token: me.token });
    expect(page1.body.items.map((p: { id: string }) => p.id)).toEqual([newA, newB]);
    const page2 = await call(api.url, 'GET', `/api/feed?limit=2&cursor=${page1.body.nextCursor}`, { token: me.token });
    expect(page2.body.items.map((p: { id: string }) => p.id)).toEqual([oldA]);
    expect(page2.body.nextCursor).toBeNull();

    await call(api.url, 'DELETE', `/api/users/${b.id}/follow`, { token: me.token });
    expect((await call(api.url, 'GET', '/api/feed', { token: me.token })).body.items.map((p: { id: string }) => p.id)).toEqual([newA, oldA]);

    await call(api.url, 'DELETE', `/api/photos/${newA}`, { token: a.token });
    await waitForMessages(1);
    expect(JSON.parse(sent[0])).toMatchObject({ type: 'feed.retract', photoId: newA, followerIds: [me.id] });
    await drainQueue();
    expect(await inspect.zrange(`feed:${me.id}`, "0", "-1")).toEqual([newB]);
    expect((await call(api.url, 'GET', '/api/feed', { token: me.token })).body.items.map((p: { id: string }) => p.id)).toEqual([oldA]);
  });

  test('following someone copies their recent photos into an existing precomputed feed', async () => {
    const me = await newUser(api.url, 'me2');
    const a = await newUser(api.url, 'a2');
    const c = await newUser(api.url, 'c2');
    await call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: me.token });
    await call(api.url, 'POST', '/api/photos', { token: a.token, body: { caption: '', contentType: 'image/png', size: 1 } });
    await waitForMessages(1);
    await drainQueue();
    const cPhoto = (await call(api.url, 'POST', '/api/photos', { token: c.token, body: { caption: '', contentType: 'image/png', size: 1 } })).body.photo.id;
    await call(api.url, 'PUT', `/api/users/${c.id}/follow`, { token: me.token });
    expect(await inspect.zrange(`feed:${me.id}`, "0", "-1")).toContain(cPhoto);
    expect((await call(api.url, 'GET', '/api/feed', { token: me.token })).body.items[0].id).toBe(cPhoto);
  });
});
