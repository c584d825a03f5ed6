import { SQSClient } from '@aws-sdk/client-sqs';
import pino from 'pino';
import type { JobMessage } from '../../../contracts/job-messages';
import { JobWorker } from '../../../api/src/queue/job-worker';
import { SqsJobQueue } from '../../../api/src/queue/sqs-job-queue';
import { startLocalSqs, type LocalSqs } from '../support/sqs-server';

/**
 * The worker outside stage 10m's home region: the servers there are replicas,
 * so it leaves the jobs in its region's queue (no receive at all) until the
 * region becomes home, then runs them.
 */
describe('JobWorker takesJobs (stage 10m: only the home region runs jobs)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let queue: SqsJobQueue;

  beforeEach(async () => {
    sqs = await startLocalSqs();
    client = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    queue = new SqsJobQueue({ queueUrl: sqs.queueUrl, visibilityTimeoutMs: 2500, client });
  });
  afterEach(async () => {
    await queue.close();
    client.destroy();
    await sqs.stop();
  });

  test('not home: nothing is received and the job waits in the queue; home: it runs', async () => {
    let home = false;
    const ran: JobMessage[] = [];
    const worker = new JobWorker(
      queue,
      async (message) => {
        ran.push(message);
        return { outcome: 'done' };
      },
      pino({ level: 'silent' }),
      { concurrency: 2, jobTimeoutMs: 1000, receiveWaitMs: 200, takesJobs: () => home },
    );
    const message: JobMessage = { type: 'photo.ready', version: 1, photoId: '42' };
    await queue.send([message]);
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sqs.requests.filter((r) => r.operation === 'ReceiveMessage')).toHaveLength(0);
    expect(ran).toEqual([]);
    home = true;
    const deadline = Date.now() + 10_000;
    while (ran.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();
    expect(ran).toEqual([message]);
    expect(sqs.bodies()).toEqual([]);
  });
});
