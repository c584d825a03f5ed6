import type { DatabaseCluster } from '../db/database-cluster';
import type { IsoTimestamp } from '../db/timestamptz-text';
import { shardOfId } from '../../../contracts/ids';
import { FollowsRepository } from '../repositories/follows-repository';
import { PhotosRepository } from '../repositories/photos-repository';

/** Followers read and written per step of a fan-out: one keyset page, then one INSERT per server. */
export const FANOUT_CHUNK = 1000;
/** Photos of a newly followed user copied into the follower's feed. */
export const BACKFILL_PHOTOS = 20;

export interface FeedWriterOptions {
  /** Authors with more followers than this are not fanned out (read at request time). */
  readonly celebrityFollowers: number;
}

/** What a job did, for the worker's log line. */
export interface FeedWriteOutcome {
  readonly outcome: string;
  readonly rows?: number;
}

/**
 * The worker's side of the precomputed feed (`feed_entries`, one row per
 * reader and photo, on the READER's shard, migration 0003). Every method is
 * idempotent: rows are inserted with ON CONFLICT DO NOTHING and deleted by
 * key, and each reads the current state first (photo still there, follow
 * still held, author not a celebrity), so a repeated or late delivery
 * converges to the same rows.
 *
 * Writes go through the cluster's fence-aware helpers (`write`,
 * `writeGrouped`): a write to a shard frozen by tools/reshard waits up to
 * SHARD_WRITE_WAIT_MS, one to a shard that just moved is re-routed at once;
 * past that the job fails and the queue retries it.
 */
export class FeedWriter {
  private readonly photos: PhotosRepository;
  private readonly follows: FollowsRepository;

  constructor(
    private readonly db: DatabaseCluster,
    private readonly options: FeedWriterOptions,
  ) {
    // The API's repositories where a job reads or writes what the API does (photo state, the follow edge).
    this.photos = new PhotosRepository(db);
    this.follows = new FollowsRepository(db);
  }

  /**
   * A new photo into each follower's feed: followers read from the author's
   * server (`followers`, keyset pages of FANOUT_CHUNK), grouped by the
   * follower's server, one multi-row INSERT per server and page.
   */
  async fanout(photoId: string, authorId: string, signal?: AbortSignal): Promise<FeedWriteOutcome> {
    const photo = await this.photo(photoId);
    if (!photo) return { outcome: 'skipped: photo deleted' };
    if (await this.isCelebrity(authorId)) return { outcome: 'skipped: celebrity author, read at request time' };
    const authorNode = this.db.forId(authorId);
    let after = '0';
    let rows = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { rows: page } = await authorNode.query<{ follower_id: string }>(
        'SELECT follower_id FROM followers WHERE followee_id = $1 AND follower_id > $2 ORDER BY follower_id LIMIT $3',
        [authorId, after, FANOUT_CHUNK],
      );
      if (page.length === 0) break;
      const followerIds = page.map((row) => row.follower_id);
      const inserted = await this.db.writeGrouped(followerIds, (node, ids) =>
        node.query(
          `INSERT INTO feed_entries (user_id, photo_id, author_id, created_at)
           SELECT unnest($1::bigint[]), $2, $3, $4 ON CONFLICT DO NOTHING`,
          [ids, photoId, authorId, photo.createdAt],
        ),
      );
      rows += inserted.reduce((sum, result) => sum + (result.rowCount ?? 0), 0);
      if (page.length < FANOUT_CHUNK) break;
      after = followerIds[followerIds.length - 1];
    }
    return { outcome: 'fanned out', rows };
  }

  /**
   * A deleted photo out of every feed. Its readers may sit on any server (and
   * followers may have left since), so this is one indexed DELETE by photo_id
   * per server: a background job, never on a request path.
   */
  async retract(photoId: string): Promise<FeedWriteOutcome> {
    let rows = 0;
    for (const node of this.db.nodes) {
      const deleted = await node.query('DELETE FROM feed_entries WHERE photo_id = $1', [photoId]);
      rows += deleted.rowCount ?? 0;
    }
    return { outcome: 'retracted', rows };
  }

  /** A new follow: the followee's newest BACKFILL_PHOTOS photos into the follower's feed. */
  async backfill(followerId: string, followeeId: string): Promise<FeedWriteOutcome> {
    if (!(await this.follows.isFollowing(followerId, followeeId, true))) return { outcome: 'skipped: no longer following' };
    if (await this.isCelebrity(followeeId)) return { outcome: 'skipped: celebrity followee, read at request time' };
    const { rows: photos } = await this.db
      .forId(followeeId)
      .query<{ id: string; created_at: IsoTimestamp }>('SELECT id, created_at FROM photos WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [followeeId, BACKFILL_PHOTOS]);
    if (photos.length === 0) return { outcome: 'nothing to backfill', rows: 0 };
    const inserted = await this.db.write(shardOfId(followerId), (node) =>
      node.query(
        `INSERT INTO feed_entries (user_id, photo_id, author_id, created_at)
         SELECT $1, p.id, $2, p.created_at FROM unnest($3::bigint[], $4::timestamptz[]) AS p(id, created_at) ON CONFLICT DO NOTHING`,
        [followerId, followeeId, photos.map((p) => p.id), photos.map((p) => p.created_at)],
      ),
    );
    return { outcome: 'backfilled', rows: inserted.rowCount ?? 0 };
  }

  /** The thumbnail exists: the photo is ready (a no-op when it already is, or is gone). */
  async photoReady(photoId: string): Promise<FeedWriteOutcome> {
    return { outcome: (await this.photos.markReady(photoId)) ? 'marked ready' : 'already ready or deleted' };
  }

  private async photo(photoId: string): Promise<{ createdAt: IsoTimestamp } | undefined> {
    const { rows } = await this.db.forId(photoId).query<{ created_at: IsoTimestamp }>('SELECT created_at FROM photos WHERE id = $1', [photoId]);
    return rows.length === 0 ? undefined : { createdAt: rows[0].created_at };
  }

  private async isCelebrity(userId: string): Promise<boolean> {
    const { rows } = await this.db.forId(userId).query<{ follower_count: number }>('SELECT follower_count FROM users WHERE id = $1', [userId]);
    return rows.length > 0 && rows[0].follower_count > this.options.celebrityFollowers;
  }
}
