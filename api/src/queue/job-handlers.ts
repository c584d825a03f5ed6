import type { FeedWriteOutcome, FeedWriter } from '../feed/feed-writer';
import type { JobMessage } from './job-messages';

/** Runs one job; resolves with what it did (logged), rejects to have it retried. */
export type JobHandler = (message: JobMessage, signal: AbortSignal) => Promise<FeedWriteOutcome>;

/** Every job type, dispatched to the feed writer (which holds the idempotent database work). */
export function jobHandler(feed: FeedWriter): JobHandler {
  return async (message, signal) => {
    switch (message.type) {
      case 'feed.fanout':
        return feed.fanout(message.photoId, message.authorId, signal);
      case 'feed.retract':
        return feed.retract(message.photoId);
      case 'feed.backfill':
        return feed.backfill(message.followerId, message.followeeId);
      case 'photo.ready':
        return feed.photoReady(message.photoId);
    }
  };
}
