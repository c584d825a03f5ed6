import type { FastifyBaseLogger } from 'fastify';
import type { PhotoRow } from '../repositories/photos-repository';
import type { JobMessage } from '../../../contracts/job-messages';
import type { JobQueue } from '../queue/job-queue';
import type { FeedReader } from './feed-reader';
import type { FeedPage } from './feed-page';

/**
 * The API's side of fan-out on write (a queue configured: stage 1m, or
 * QUEUE=postgres locally): it only enqueues jobs, after the write committed,
 * and the worker does the rest (api/src/queue/, docs/queue.md). Enqueueing
 * is not in the write's transaction (the queue is on another server, or SQS),
 * so a failed send is logged and that photo is missing from feeds that are
 * precomputed: the request itself still succeeds, as the write did.
 */
export class FeedFanout {
  constructor(
    private readonly queue: JobQueue,
    private readonly reader: FeedReader,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** A new photo: `feed.fanout` (the worker skips celebrity authors). */
  photoCreated(photo: PhotoRow): Promise<void> {
    return this.send({ type: 'feed.fanout', version: 1, photoId: photo.id, authorId: photo.userId });
  }

  /** A deleted photo: `feed.retract`. */
  photoDeleted(photoId: string, authorId: string): Promise<void> {
    return this.send({ type: 'feed.retract', version: 1, photoId, authorId });
  }

  /** A new follow: `feed.backfill` copies the followee's recent photos into the follower's feed. */
  followed(followerId: string, followeeId: string): Promise<void> {
    return this.send({ type: 'feed.backfill', version: 1, followerId, followeeId });
  }

  /** The feed page from `feed_entries` and celebrity followees (FeedReader). */
  page(userId: string, before: string | undefined, limit: number, fromPrimary: boolean): Promise<FeedPage> {
    return this.reader.page(userId, before, limit, fromPrimary);
  }

  private async send(message: JobMessage): Promise<void> {
    try {
      await this.queue.send([message]);
    } catch (error) {
      this.log.error({ err: error, job: message }, `${message.type}: not queued; precomputed feeds miss this change`);
    }
  }
}
