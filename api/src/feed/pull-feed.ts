import { NO_CURSOR } from '../../../contracts/ids';
import type { DatabaseCluster } from '../db/database-cluster';
import type { FollowsRepository } from '../repositories/follows-repository';
import type { FeedPage } from './feed-page';
import { type DbPhoto, type PhotosRepository, photoColumns, photoRowFromDb } from '../repositories/photos-repository';

/**
 * The feed without a queue (fan-out on read, stages before 1m): the photos of
 * the reader and of everyone they follow, newest first, `limit + 1` rows
 * before the cursor.
 *
 * On one server (every stage below the sharded ones) the followees and their
 * photos are on the same server as the reader, so the page is one statement:
 * the followees read inside it and each author's newest rows taken from
 * photos_user_id_idx (the LATERAL of PhotosRepository.listByAuthors). It saves
 * a round trip and the 200-row followee list travelling to the API and back as
 * an array parameter (issue 18). On several servers the followees are read on
 * the reader's server, then listByAuthors asks each server holding some.
 */
export class PullFeed {
  constructor(
    private readonly db: DatabaseCluster,
    private readonly photos: PhotosRepository,
    private readonly follows: FollowsRepository,
  ) {}

  /**
   * The page's rows; on one server also which of them the reader likes
   * (`likedByReader`, read in the same statement: a like lives with its photo),
   * so the page needs no second query for `likedByMe`.
   */
  async page(userId: string, before: string | undefined, limit: number, fromPrimary: boolean): Promise<FeedPage> {
    if (this.db.nodes.length > 1) {
      return { rows: await this.photos.listByAuthors([userId, ...(await this.follows.followees(userId, fromPrimary))], before, limit, fromPrimary) };
    }
    // Two phases in one statement: the page's IDs from photos_user_id_idx alone (an index-only scan: no
    // heap row for the ~1,400 candidates of 200 followees), then the page's 21 rows by primary key and
    // the reader's likes of them (a like lives with its photo). The candidates' rows cost 4.7 ms of the
    // server's time per page, the IDs 1.1 ms (100k data set, warm; issue 18).
    const { rows } = await this.db.nodes[0].read<DbPhoto & { liked: boolean }>(
      `SELECT ${photoColumns('photos')}, EXISTS (SELECT 1 FROM likes WHERE likes.photo_id = photos.id AND likes.user_id = $1) AS liked
         FROM (SELECT p.id FROM (SELECT $1::bigint AS user_id UNION SELECT followee_id FROM following WHERE follower_id = $1) AS a
                 CROSS JOIN LATERAL (SELECT id FROM photos WHERE photos.user_id = a.user_id AND id < COALESCE($2::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $3) AS p
                 ORDER BY p.id DESC LIMIT $3) AS page
         JOIN photos ON photos.id = page.id
        ORDER BY photos.id DESC`,
      [userId, before ?? null, limit + 1],
      fromPrimary,
    );
    return { rows: rows.map(photoRowFromDb), likedByReader: new Set(rows.filter((row) => row.liked).map((row) => row.id)) };
  }
}
