import { SQSClient } from '@aws-sdk/client-sqs';
import pino from 'pino';
import type { JobMessage } from '../../../contracts/job-messages';
import { JobWorker } from '../../../api/src/queue/job-worker';
import { SqsJobQueue } from '../../../api/src/queue/sqs-job-queue';
import { startLocalSqs, type LocalSqs } from '../support/sqs-server';

/**
 * SqsJobQueue through the real AWS SDK v3 client against a local HTTP server
 * speaking the SQS JSON protocol (test/api/support/sqs-server.ts): request
 * mapping and the redrive behaviour the worker relies on. Not tested against
 * SQS itself (no AWS here).
 */
jest.setTimeout(30_000);

const ready = (photoId: string): JobMessage => ({ type: 'photo.ready', version: 1, photoId });

describe('SqsJobQueue (AWS SDK client against a local SQS-protocol server)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let queue: SqsJobQueue;

  beforeEach(async () => {
    sqs = await startLocalSqs({ maxReceiveCount: 3 });
    client = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    queue = new SqsJobQueue({ queueUrl: sqs.queueUrl, visibilityTimeoutMs: 2500, client });
  });
  afterEach(async () => {
    await queue.close();
    client.destroy();
    await sqs.stop();
  });

  test('send: SendMessageBatch in batches of at most 10, one JSON body per message', async () => {
    const messages = Array.from({ length: 23 }, (_, i) => ready(String(1000 + i)));
    await queue.send(messages);
    const batches = sqs.requests.filter((r) => r.operation === 'SendMessageBatch');
    expect(batches.map((b) => b.input.Entries.length)).toEqual([10, 10, 3]);
    expect(batches.every((b) => b.input.QueueUrl === sqs.queueUrl)).toBe(true);
    expect(sqs.bodies().map((body) => JSON.parse(body))).toEqual(messages);
  });

  test('receive: long poll with MaxNumberOfMessages ≤ 10, WaitTimeSeconds ≤ 20, the worker’s VisibilityTimeout, and the receive count as attempt', async () => {
    await queue.send([ready('7')]);
    const [job] = await queue.receive(25, 45_000);
    expect(sqs.requests.find((r) => r.operation === 'ReceiveMessage')!.input).toEqual({
      QueueUrl: sqs.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 3,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
    expect(job).toEqual({ id: expect.any(String), body: JSON.stringify(ready('7')), receipt: expect.any(String), attempt: 1 });
  });

  test('ack deletes the message by its receipt handle', async () => {
    await queue.send([ready('8')]);
    const [job] = await queue.receive(1, 0);
    await queue.ack(job);
    expect(sqs.requests.at(-1)).toEqual({ operation: 'DeleteMessage', input: { QueueUrl: sqs.queueUrl, ReceiptHandle: job.receipt } });
    expect(sqs.bodies()).toEqual([]);
  });

  test('fail sets the message’s visibility to the retry delay (ChangeMessageVisibility); it comes back with attempt 2', async () => {
    await queue.send([ready('9')]);
    const [job] = await queue.receive(1, 0);
    await queue.fail(job, 'boom', 1000, false);
    expect(sqs.requests.at(-1)).toEqual({
      operation: 'ChangeMessageVisibility',
      input: { QueueUrl: sqs.queueUrl, ReceiptHandle: job.receipt, VisibilityTimeout: 1 },
    });
    expect(await queue.receive(1, 0)).toEqual([]);
    const [again] = await queue.receive(1, 3000);
    expect(again.attempt).toBe(2);
    expect(again.receipt).not.toBe(job.receipt);
  });

  test('an aborted long poll returns at once with nothing', async () => {
    const controller = new AbortController();
    const pending = queue.receive(10, 20_000, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toEqual([]);
  });

  test('a worker whose handler keeps failing: the redrive policy moves the message to the dead-letter queue after maxReceiveCount receives', async () => {
    const worker = new JobWorker(
      queue,
      async () => {
        throw new Error('always fails');
      },
      pino({ level: 'silent' }),
      { concurrency: 2, jobTimeoutMs: 1000, receiveWaitMs: 1000 },
    );
    await queue.send([ready('11')]);
    worker.start();
    const deadline = Date.now() + 20_000;
    while (sqs.deadLetterBodies().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();
    expect(sqs.deadLetterBodies()).toEqual([JSON.stringify(ready('11'))]);
    expect(worker.stats.failed).toBe(3);
    expect(sqs.bodies()).toEqual([]);
  });
});
