import type { DatabaseCluster } from '../db/database-cluster';
import type { PhotoRow, PhotosRepository } from '../repositories/photos-repository';

/** Rounds of "next entries" a page may need when many of its entries point at deleted photos. */
const MAX_ENTRY_ROUNDS = 5;

const byIdDesc = (a: PhotoRow, b: PhotoRow) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);

/**
 * The feed read when a queue is configured (fan-out on write, stage 1m): the
 * reader's `feed_entries` (one index range on the reader's server, kept to
 * authors the reader still follows by joining `following` on that same
 * server), merged with the newest photos of followed "celebrities" (more
 * than `celebrityFollowers` followers: never fanned out, read at request time
 * with the pull query), then hydrated by photo ID with one query per server.
 * Same contract as the pull feed: newest first, `limit + 1` rows before the
 * cursor (the extra row says whether there is a next page).
 *
 * Where the reader's entries run out, the page continues with the pull query
 * for the other followees, below the oldest entry read: photos from before
 * the queue was switched on (or before the feeds were seeded), and beyond
 * the 20 photos a follow backfills, so older pages are never missing. An
 * active reader's page is filled by entries and never pays for the pull.
 */
export class FeedReader {
  constructor(
    private readonly db: DatabaseCluster,
    private readonly photos: PhotosRepository,
    private readonly celebrityFollowers: number,
  ) {}

  async page(userId: string, followees: readonly string[], before: string | undefined, limit: number, fromPrimary: boolean): Promise<PhotoRow[]> {
    if (followees.length === 0) return this.photos.listByAuthors([userId], before, limit, fromPrimary);
    const celebrities = await this.celebrities(followees, fromPrimary);
    // The reader's own photos are never fanned out (they follow no one's feed into their own): read like a celebrity's.
    const [fannedOut, pulled] = await Promise.all([
      this.entries(userId, before, limit, fromPrimary),
      this.photos.listByAuthors([userId, ...celebrities], before, limit, fromPrimary),
    ]);
    let older: PhotoRow[] = [];
    if (fannedOut.exhausted) {
      const stars = new Set(celebrities);
      const ordinary = followees.filter((id) => !stars.has(id));
      older = await this.photos.listByAuthors(ordinary, fannedOut.oldestRead ?? before, limit, fromPrimary);
    }
    // An author who became a celebrity has older photos in both: keep one of each.
    const seen = new Set<string>();
    return [...fannedOut.rows, ...pulled, ...older]
      .filter((photo) => !seen.has(photo.id) && seen.add(photo.id))
      .sort(byIdDesc)
      .slice(0, limit + 1);
  }

  /** The followees above the threshold (one query per server holding some of them). */
  private async celebrities(followees: readonly string[], fromPrimary: boolean): Promise<string[]> {
    const perNode = await Promise.all(
      [...this.db.groupByNode(followees)].map(([node, ids]) =>
        node.read<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::bigint[]) AND follower_count > $2', [ids, this.celebrityFollowers], fromPrimary),
      ),
    );
    return perNode.flatMap((result) => result.rows.map((row) => row.id));
  }

  /**
   * Up to `limit + 1` fanned-out photos before the cursor that still exist.
   * An entry whose photo was deleted (its retraction not run yet) is skipped,
   * and the next entries are read, so a page is never short while more exist.
   * `exhausted`: no entries are left below `oldestRead` (the last entry read).
   */
  private async entries(
    userId: string,
    before: string | undefined,
    limit: number,
    fromPrimary: boolean,
  ): Promise<{ rows: PhotoRow[]; exhausted: boolean; oldestRead?: string }> {
    const node = this.db.forId(userId);
    const rows: PhotoRow[] = [];
    let cursor = before;
    let oldestRead: string | undefined;
    let exhausted = false;
    for (let round = 0; round < MAX_ENTRY_ROUNDS && rows.length <= limit; round++) {
      const want = limit + 1 - rows.length;
      const { rows: ids } = await node.read<{ photo_id: string }>(
        `SELECT fe.photo_id FROM feed_entries fe
          WHERE fe.user_id = $1 AND ($2::bigint IS NULL OR fe.photo_id < $2::bigint)
            AND EXISTS (SELECT 1 FROM following f WHERE f.follower_id = $1 AND f.followee_id = fe.author_id)
          ORDER BY fe.photo_id DESC LIMIT $3`,
        [userId, cursor ?? null, want],
        fromPrimary,
      );
      if (ids.length > 0) oldestRead = ids[ids.length - 1].photo_id;
      rows.push(...(await this.photos.getMany(ids.map((row) => row.photo_id), fromPrimary)));
      if (ids.length < want) {
        exhausted = true;
        break;
      }
      cursor = oldestRead;
    }
    return { rows: rows.sort(byIdDesc), exhausted, oldestRead };
  }
}
