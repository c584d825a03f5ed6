import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { FeedFanout } from '../../feed/feed-fanout';
import { CelebritySet } from '../../feed/celebrity-set';
import { FeedReader } from '../../feed/feed-reader';
import { PullFeed } from '../../feed/pull-feed';
import { createJobQueue } from '../../queue/create-job-queue';
import type { JobQueue } from '../../queue/job-queue';

declare module 'fastify' {
  interface FastifyInstance {
    /** Fan-out on write through the work queue; undefined without a queue (stages before 1m: the feed is pulled). */
    feedFanout: FeedFanout | undefined;
    /** The feed read without a queue (fan-out on read). */
    pullFeed: PullFeed;
  }
}

export interface FeedPluginOptions {
  /** Replaces the configured queue (tests). */
  readonly workQueue?: JobQueue;
}

/** The work queue (QUEUE / WORK_QUEUE_URL) and the precomputed feed it feeds. */
export default fp(
  async function feed(app: FastifyInstance, options: FeedPluginOptions) {
    app.decorate('pullFeed', new PullFeed(app.db, app.photos, app.follows));
    const owned = options.workQueue ? undefined : createJobQueue(app.config, app.db);
    const queue = options.workQueue ?? owned;
    if (!queue) {
      app.decorate<FeedFanout | undefined>('feedFanout', undefined);
      return;
    }
    const celebrities = new CelebritySet(app.db, app.config.feedCelebrityFollowers, app.config.feedCelebrityRefreshMs, app.log);
    const reader = new FeedReader(app.db, app.photos, app.follows, celebrities);
    app.decorate<FeedFanout | undefined>('feedFanout', new FeedFanout(queue, reader, app.log));
    app.addHook('onClose', async () => owned?.close());
  },
  { name: 'feed', dependencies: ['database', 'repositories'] },
);
