import type { JobHandler } from '../queue/job-worker';
import type { FeedWriter } from './feed-writer';

/**
 * Every job type, dispatched to the feed writer (which holds the idempotent
 * database work). It lives with the feed, not the queue: the queue package
 * moves and runs jobs without knowing what they do.
 */
export function feedJobHandler(feed: FeedWriter): JobHandler {
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
