import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { FeedFanout } from '../../feed/feed-fanout';
import { SqsWorkQueue, type WorkQueue } from '../../feed/work-queue';

declare module 'fastify' {
  interface FastifyInstance {
    /** Fan-out on write through the work queue; undefined without WORK_QUEUE_URL (stages before 1m). */
    feedFanout: FeedFanout | undefined;
  }
}

export interface FeedPluginOptions {
  /** Replaces the SQS queue (tests). */
  readonly workQueue?: WorkQueue;
}

export default fp(
  async function feed(app: FastifyInstance, options: FeedPluginOptions) {
    const { workQueueUrl, awsRegion } = app.config;
    if (!workQueueUrl && !options.workQueue) {
      app.decorate<FeedFanout | undefined>('feedFanout', undefined);
      return;
    }
    const sqs = options.workQueue ? undefined : new SqsWorkQueue(workQueueUrl!, awsRegion);
    app.decorate<FeedFanout | undefined>('feedFanout', new FeedFanout(options.workQueue ?? sqs!, app.redis, app.follows, app.photos, app.log));
    app.addHook('onClose', async () => sqs?.close());
  },
  { name: 'feed', dependencies: ['repositories', 'cache'] },
);
