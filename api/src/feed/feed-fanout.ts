import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '../cache/redis-client';
import { chunkFollowers } from '../../../lambda/queue-worker/messages';
import { feedKey, FEED_MAX_ITEMS } from '../../../lambda/queue-worker/feed-store';
import type { FollowsRepository } from '../repositories/follows-repository';
import type { PhotoRow, PhotosRepository } from '../repositories/photos-repository';
import type { WorkQueue } from './work-queue';

/** Photos of a newly followed user copied into the follower's precomputed feed. */
const BACKFILL_ON_FOLLOW = 20;

/**
 * Fan-out on write (1m, `WORK_QUEUE_URL` set): a new photo becomes one
 * `feed.fanout` message per 1000 followers; the queue worker adds it to each
 * follower's `feed:<userId>` sorted set in Redis. Reading merges that set (the
 * newest part, filtered to whom the reader follows now) with the database for
 * the rest, so the sets stay a cache and never the truth: a missing or
 * truncated set only means more rows come from PostgreSQL.
 */
export class FeedFanout {
  constructor(
    private readonly queue: WorkQueue,
    private readonly redis: RedisClient | undefined,
    private readonly follows: FollowsRepository,
    private readonly photos: PhotosRepository,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** After the response: a failure is logged, and those followers' feeds fall back to the database. */
  photoCreated(photo: PhotoRow): void {
    void this.run('feed.fanout', photo.id, async () => {
      const followers = await this.follows.followers(photo.userId);
      await this.queue.send(
        chunkFollowers(followers).map((followerIds) => ({
          type: 'feed.fanout' as const,
          version: 1 as const,
          photoId: photo.id,
          authorId: photo.userId,
          createdAt: photo.createdAt,
          followerIds,
        })),
      );
    });
  }

  photoDeleted(photoId: string, authorId: string): void {
    void this.run('feed.retract', photoId, async () => {
      const followers = await this.follows.followers(authorId);
      await this.queue.send(chunkFollowers(followers).map((followerIds) => ({ type: 'feed.retract' as const, version: 1 as const, photoId, followerIds })));
    });
  }

  /** A new follow copies the followee's recent photos into an existing precomputed feed. */
  async followed(followerId: string, followeeId: string): Promise<void> {
    if (!this.redis) return;
    try {
      const key = feedKey(followerId);
      if ((await this.redis.exists(key)) === 0) return; // no set: reads already come from the database
      const recent = await this.photos.listByUser(followeeId, undefined, BACKFILL_ON_FOLLOW - 1, true);
      if (recent.length === 0) return;
      const args = recent.flatMap((photo) => [Date.parse(photo.createdAt), photo.id]);
      await this.redis.zadd(key, ...args);
      await this.redis.zremrangebyrank(key, 0, -(FEED_MAX_ITEMS + 1));
    } catch (error) {
      this.log.warn({ err: error }, 'feed: backfill on follow failed; the database fills the gap');
    }
  }

  /**
   * One feed page: the precomputed set's photos first (only those of users the
   * reader still follows), then the database from where they end. Undefined
   * when there is no set (the caller reads the database alone).
   */
  async page(
    userId: string,
    followees: readonly string[],
    before: string | undefined,
    limit: number,
    fromPrimary: boolean,
  ): Promise<PhotoRow[] | undefined> {
    if (!this.redis || followees.length === 0) return undefined;
    let members: string[];
    try {
      members = await this.redis.zrevrange(feedKey(userId), 0, -1);
    } catch {
      return undefined; // Redis down: the database answers
    }
    if (members.length === 0) return undefined;
    const following = new Set(followees);
    const bound = before === undefined ? undefined : BigInt(before);
    const candidates = members.filter((id) => /^\d+$/.test(id) && (bound === undefined || BigInt(id) < bound));
    const rows = (await this.photos.getMany(candidates, fromPrimary))
      .filter((photo) => following.has(photo.userId))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit + 1);
    if (rows.length > limit) return rows;
    const rest = await this.photos.listByAuthors(followees, rows.length ? rows[rows.length - 1].id : before, limit + 1 - rows.length, fromPrimary);
    return [...rows, ...rest.slice(0, limit + 1 - rows.length)];
  }

  private async run(kind: string, photoId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.log.error({ err: error, photoId }, `${kind}: not queued; followers' feeds fall back to the database`);
    }
  }
}
