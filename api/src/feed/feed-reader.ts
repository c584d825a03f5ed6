import type { DatabaseCluster, DatabaseNode } from '../db/database-cluster';
import type { FollowsRepository } from '../repositories/follows-repository';
import { type DbPhoto, NO_CURSOR, type PhotoRow, type PhotosRepository, photoColumns, photoRowFromDb } from '../repositories/photos-repository';
import type { CelebritySet } from './celebrity-set';

/** Rounds of "next entries" a page may need when many of its entries point at deleted photos. */
const MAX_ENTRY_ROUNDS = 5;

const byIdDesc = (a: PhotoRow, b: PhotoRow) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);

/** An entry with its photo's columns from the reader's server (LEFT JOIN: all null where that server has no such photo). */
type EntryRow = { entry_photo_id: string } & { [K in keyof DbPhoto]: DbPhoto[K] | null };

/** The join found the photo: `photos.id` is its primary key, so the other NOT NULL columns are there too. */
const joinedPhoto = (entry: EntryRow): entry is EntryRow & DbPhoto => entry.id !== null;

/**
 * The feed read when a queue is configured (fan-out on write, stage 1m), in
 * two steps whatever the reader follows:
 *
 * 1. in parallel, on the reader's server: their `feed_entries` before the
 *    cursor (one index range, kept to authors the reader still follows by
 *    `EXISTS` on `following`, same server), joined to `photos` so an entry
 *    whose photo that server owns comes back hydrated; and which celebrities
 *    (CelebritySet, cached per process) the reader follows (one probe of
 *    `following` by its primary key);
 * 2. in parallel: the other entries' photos by ID (one query per server
 *    owning some), and the newest photos of the reader and the followed
 *    celebrities with the pull query (never fanned out: read at request time).
 *
 * Same contract as the pull feed: newest first, `limit + 1` rows before the
 * cursor (the extra row says whether there is a next page). An entry whose
 * photo is gone (its retraction still queued) is skipped and the next entries
 * read, so a page is never short while more exist.
 *
 * Where the reader's entries run out, the page continues with the pull query
 * for the other followees (read only then), below the oldest entry read:
 * photos from before the queue was switched on (or before the feeds were
 * seeded), and beyond the 20 photos a follow backfills, so older pages are
 * never missing. An active reader's page is filled by entries and never pays
 * for the followee list or the pull.
 */
export class FeedReader {
  constructor(
    private readonly db: DatabaseCluster,
    private readonly photos: PhotosRepository,
    private readonly follows: FollowsRepository,
    private readonly celebrities: CelebritySet,
  ) {}

  async page(userId: string, before: string | undefined, limit: number, fromPrimary: boolean): Promise<PhotoRow[]> {
    const followedCelebrities = this.followedCelebrities(userId, fromPrimary);
    const [fannedOut, pulled] = await Promise.all([
      this.entries(userId, before, limit, fromPrimary),
      // The reader's own photos are never fanned out (nobody follows themselves into their feed): read like a celebrity's.
      followedCelebrities.then((stars) => this.photos.listByAuthors([userId, ...stars], before, limit, fromPrimary)),
    ]);
    let older: PhotoRow[] = [];
    if (fannedOut.exhausted) {
      const stars = new Set(await followedCelebrities);
      const ordinary = (await this.follows.followees(userId, fromPrimary)).filter((id) => !stars.has(id));
      older = await this.photos.listByAuthors(ordinary, fannedOut.oldestRead ?? before, limit, fromPrimary);
    }
    // An author who became a celebrity has older photos in both: keep one of each.
    const seen = new Set<string>();
    return [...fannedOut.rows, ...pulled, ...older]
      .filter((photo) => !seen.has(photo.id) && seen.add(photo.id))
      .sort(byIdDesc)
      .slice(0, limit + 1);
  }

  /** The celebrities among the reader's followees: one primary-key probe of `following` on the reader's server. */
  private async followedCelebrities(userId: string, fromPrimary: boolean): Promise<string[]> {
    const all = await this.celebrities.ids();
    if (all.length === 0) return [];
    const { rows } = await this.db
      .forId(userId)
      .read<{ followee_id: string }>('SELECT followee_id FROM following WHERE follower_id = $1 AND followee_id = ANY($2::bigint[])', [userId, all], fromPrimary);
    return rows.map((row) => row.followee_id);
  }

  /**
   * Up to `limit + 1` fanned-out photos before the cursor that still exist.
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
      // The follow check is a scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a join and, expecting
      // ~20 follows per reader, hashes all of the reader's entries and sorts them (1,495 rows for the benchmark's
      // reader, 0.8 ms); as a per-row filter it walks feed_entries_pkey backward and stops at the page (21 rows,
      // 0.4 ms). The join to photos is outside the LIMIT, or it would run for every entry before the sort.
      const { rows: entries } = await node.read<EntryRow>(
        `SELECT e.photo_id AS entry_photo_id, ${photoColumns('p')}
           FROM (SELECT fe.photo_id FROM feed_entries fe
                  WHERE fe.user_id = $1 AND fe.photo_id < COALESCE($2::bigint, ${NO_CURSOR})
                    AND (SELECT true FROM following f WHERE f.follower_id = $1 AND f.followee_id = fe.author_id)
                  ORDER BY fe.photo_id DESC LIMIT $3) AS e
           LEFT JOIN photos p ON p.id = e.photo_id
          ORDER BY e.photo_id DESC`,
        [userId, cursor ?? null, want],
        fromPrimary,
      );
      if (entries.length > 0) oldestRead = entries[entries.length - 1].entry_photo_id;
      rows.push(...(await this.hydrate(node, entries, fromPrimary)));
      if (entries.length < want) {
        exhausted = true;
        break;
      }
      cursor = oldestRead;
    }
    return { rows: rows.sort(byIdDesc), exhausted, oldestRead };
  }

  /**
   * The entries' photos: from the join where the reader's server owns the
   * photo (no row there: deleted), by ID from their owners otherwise. Only the
   * owner's answer counts: a server may still hold a copy of a shard it gave
   * away (a move not yet cleaned up), or not yet own one it is receiving.
   */
  private async hydrate(node: DatabaseNode, entries: readonly EntryRow[], fromPrimary: boolean): Promise<PhotoRow[]> {
    const local: PhotoRow[] = [];
    const elsewhere: string[] = [];
    for (const entry of entries) {
      if (this.db.forId(entry.entry_photo_id) !== node) elsewhere.push(entry.entry_photo_id);
      else if (joinedPhoto(entry)) local.push(photoRowFromDb(entry));
    }
    return elsewhere.length === 0 ? local : [...local, ...(await this.photos.getMany(elsewhere, fromPrimary))];
  }
}
