import type { DatabaseCluster, DatabaseNode } from '../db/database-cluster';
import type { FollowsRepository } from '../repositories/follows-repository';
import { type DbPhoto, type PhotoRow, type PhotosRepository, photoColumns, photoRowFromDb } from '../repositories/photos-repository';
import { compareIdsNewestFirst, NO_CURSOR } from '../../../contracts/ids';
import type { CelebritySet } from './celebrity-set';
import type { FeedPage } from './feed-page';

/** Rounds of "next entries" a page may need when many of its entries point at deleted photos. */
const MAX_ENTRY_ROUNDS = 5;

const byIdDesc = (a: PhotoRow, b: PhotoRow) => compareIdsNewestFirst(a.id, b.id);

/** A photo row with whether the reader likes it (read in the same statement: a like lives with its photo). */
type LikedPhoto = DbPhoto & { liked: boolean };

/** An entry with its photo's columns from the reader's server (LEFT JOIN: all null where that server has no such photo). */
type EntryRow = { entry_photo_id: string } & { [K in keyof LikedPhoto]: LikedPhoto[K] | null };

/** How many entries the one-server statement read, and the oldest of them (null: none). */
interface EntriesRead {
  readonly entries_read: number;
  readonly oldest_entry: string | null;
}

/** A row of `entriesAndPull`: an entry (as EntryRow) or a pulled photo (no entry ID, every column there). */
type EitherRow = Omit<EntryRow, 'entry_photo_id'> & { entry_photo_id: string | null };

const isEntry = (row: EitherRow): row is EntryRow => row.entry_photo_id !== null;
const isPulled = (row: EitherRow): row is EitherRow & LikedPhoto => row.entry_photo_id === null && row.id !== null;

/** Entries newest first (a UNION ALL keeps no order of its own). */
const sortedEntries = (entries: EntryRow[]) => entries.sort((a, b) => compareIdsNewestFirst(a.entry_photo_id, b.entry_photo_id));

/** The join found the photo: `photos.id` is its primary key, so the other NOT NULL columns are there too. */
const joinedPhoto = (entry: EntryRow): entry is EntryRow & LikedPhoto => entry.id !== null;

/** The rows with the reader's likes among them. */
interface ReadPhotos {
  readonly rows: PhotoRow[];
  readonly liked: string[];
}

function collect(rows: readonly LikedPhoto[]): ReadPhotos {
  return { rows: rows.map(photoRowFromDb), liked: rows.filter((row) => row.liked).map((row) => row.id) };
}

/**
 * The page: the reads' rows and the older pull's, merged newest first, one of
 * each photo (an author who became a celebrity has older photos both fanned
 * out and pulled), `limit + 1` at most.
 */
function merge(reads: readonly ReadPhotos[], older: readonly PhotoRow[], limit: number): FeedPage {
  const seen = new Set<string>();
  const rows = [...reads.flatMap((read) => read.rows), ...older]
    .filter((photo) => !seen.has(photo.id) && seen.add(photo.id))
    .sort(byIdDesc)
    .slice(0, limit + 1);
  // The older pull's rows come without the reader's likes: then the page asks for them.
  return older.length > 0 ? { rows } : { rows, likedByReader: new Set(reads.flatMap((read) => read.liked)) };
}

/**
 * The feed read when a queue is configured (fan-out on write, stage 1m): one
 * step in parallel whatever the reader follows, each query carrying the
 * reader's likes of its rows (so the page needs no likedBy query):
 *
 * - on the reader's server, their `feed_entries` before the cursor (one index
 *   range, kept to authors the reader still follows by a per-row check of
 *   `following`, same server), joined to the photos that server owns; the
 *   other entries' photos are then read by ID from their owners;
 * - on each server holding some celebrities (CelebritySet, cached per
 *   process) or the reader, the newest photos of the reader and of the
 *   celebrities the reader follows, checked on that server's `followers` (the
 *   side the worker fans out from): never fanned out, read at request time.
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
 *
 * The reader's server is always asked both (its pull has the reader's own
 * photos): there the first entries and its share of the pull are one
 * statement (`entriesAndPull`). On one server (every row there) the whole
 * page is one statement that hydrates only the page's rows (`onOneServer`);
 * the general path runs where that one read cannot settle the page (entries
 * of deleted photos).
 */
export class FeedReader {
  constructor(
    private readonly db: DatabaseCluster,
    private readonly photos: PhotosRepository,
    private readonly follows: FollowsRepository,
    private readonly celebrities: CelebritySet,
  ) {}

  async page(userId: string, before: string | undefined, limit: number, fromPrimary: boolean): Promise<FeedPage> {
    const stars = await this.celebrities.ids();
    if (this.db.nodes.length === 1) {
      const page = await this.onOneServer(userId, stars, before, limit, fromPrimary);
      if (page) return page;
    }
    // The reader's server is always asked (their own photos): its share of the pull rides with the first entries.
    const home = this.db.forId(userId);
    const pullFrom = this.db.groupByNode([userId, ...stars]);
    const first = this.entriesAndPull(home, userId, pullFrom.get(home) ?? [userId], before, limit, fromPrimary);
    pullFrom.delete(home);
    const [fannedOut, pulledHome, pulledElsewhere] = await Promise.all([
      this.entries(userId, before, limit, fromPrimary, first.then((read) => read.entries)),
      first.then((read) => collect(read.pulled)),
      this.celebrityPhotos(userId, pullFrom, before, limit, fromPrimary),
    ]);
    const older = fannedOut.exhausted ? await this.olderPull(userId, stars, fannedOut.oldestRead ?? before, limit, fromPrimary) : [];
    return merge([fannedOut, pulledHome, pulledElsewhere], older, limit);
  }

  /**
   * On the reader's server, one statement for two reads: the first entries
   * (as `entries` reads them) and the newest photos of `authors` (the reader
   * and the celebrities that server owns, as `celebrityPhotos` reads them).
   * Saves a round trip and a statement's fixed cost on every page. An entry
   * row has its `entry_photo_id`; a pulled row has none.
   */
  private async entriesAndPull(
    home: DatabaseNode,
    userId: string,
    authors: readonly string[],
    before: string | undefined,
    limit: number,
    fromPrimary: boolean,
  ): Promise<{ entries: EntryRow[]; pulled: LikedPhoto[] }> {
    const { rows } = await home.read<EitherRow>(
      `SELECT e.photo_id AS entry_photo_id, ${photoColumns('p')},
              CASE WHEN p.id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM likes l WHERE l.photo_id = p.id AND l.user_id = $1) END AS liked
         FROM (SELECT fe.photo_id FROM feed_entries fe
                WHERE fe.user_id = $1 AND fe.photo_id < COALESCE($2::bigint, ${NO_CURSOR})
                  AND (SELECT true FROM following f WHERE f.follower_id = $1 AND f.followee_id = fe.author_id)
                ORDER BY fe.photo_id DESC LIMIT $3) AS e
         LEFT JOIN photos p ON p.id = e.photo_id
       UNION ALL
       SELECT NULL, ${photoColumns('photos')}, EXISTS (SELECT 1 FROM likes WHERE likes.photo_id = photos.id AND likes.user_id = $1)
         FROM (SELECT c.id FROM (SELECT a.user_id FROM (SELECT DISTINCT unnest($4::bigint[]) AS user_id) AS a
                                  WHERE a.user_id = $1 OR (SELECT true FROM followers f WHERE f.followee_id = a.user_id AND f.follower_id = $1)) AS a
                 CROSS JOIN LATERAL (SELECT id FROM photos WHERE photos.user_id = a.user_id AND id < COALESCE($2::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $3) AS c
                 ORDER BY c.id DESC LIMIT $3) AS page
         JOIN photos ON photos.id = page.id`,
      [userId, before ?? null, limit + 1, authors],
      fromPrimary,
    );
    return { entries: rows.filter(isEntry), pulled: rows.filter(isPulled) };
  }

  /**
   * The page on one server in one statement (the reader, their entries, the
   * celebrities and every photo on that server): the entries before the
   * cursor (as `entries` reads them), the reader's and the followed
   * celebrities' newest photo IDs (as `celebrityPhotos` reads them), then only
   * the page's rows by primary key with the reader's likes. Against the two
   * statements run in parallel it saves a round trip, a statement's fixed cost
   * and the hydration of the rows the merge would drop (the celebrities' 21
   * beside the entries' 21; issue 18).
   *
   * Undefined where this one read cannot settle the page: entries of deleted
   * photos (retraction still queued) left the page short or reaching below
   * the last entry read, where the next entries might belong; the general
   * path then reads further entries. Where the entries run out (a reader
   * without any included), the page continues with the pull query as in the
   * general path.
   */
  private async onOneServer(
    userId: string,
    stars: readonly string[],
    before: string | undefined,
    limit: number,
    fromPrimary: boolean,
  ): Promise<FeedPage | undefined> {
    const want = limit + 1;
    // The entries as `entries` reads them (the follow a per-row scalar subquery: see there), materialized once
    // for the page and for how many were read and the oldest of them (one row even when the page is empty). The candidates are IDs only, sorted, then
    // joined to photos by primary key: a deleted photo drops out there, and the LIMIT stops the joins at the page.
    const { rows: read } = await this.db.nodes[0].read<EntriesRead & { [K in keyof LikedPhoto]: LikedPhoto[K] | null }>(
      `WITH e AS (SELECT fe.photo_id FROM feed_entries fe
                   WHERE fe.user_id = $1 AND fe.photo_id < COALESCE($2::bigint, ${NO_CURSOR})
                     AND (SELECT true FROM following f WHERE f.follower_id = $1 AND f.followee_id = fe.author_id)
                   ORDER BY fe.photo_id DESC LIMIT $3)
       SELECT ${photoColumns('p')}, CASE WHEN p.id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM likes l WHERE l.photo_id = p.id AND l.user_id = $1) END AS liked,
              counted.entries_read, counted.oldest_entry
         FROM (SELECT count(*)::int AS entries_read, min(photo_id) AS oldest_entry FROM e) AS counted
         LEFT JOIN (SELECT ${photoColumns('photos')}
                 FROM (SELECT photo_id AS id FROM e
                       UNION
                       SELECT c.id FROM (SELECT a.user_id FROM (SELECT DISTINCT unnest($4::bigint[]) AS user_id) AS a
                                          WHERE a.user_id = $1 OR (SELECT true FROM followers f WHERE f.followee_id = a.user_id AND f.follower_id = $1)) AS a
                         CROSS JOIN LATERAL (SELECT id FROM photos WHERE photos.user_id = a.user_id AND id < COALESCE($2::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $3) AS c
                       ORDER BY id DESC) AS candidate
                 JOIN photos ON photos.id = candidate.id
                ORDER BY candidate.id DESC LIMIT $3) AS p ON true
        ORDER BY p.id DESC`,
      [userId, before ?? null, want, [userId, ...stars]],
      fromPrimary,
    );
    // One row at least (the count's), with no photo where the page is empty.
    const { entries_read: entriesRead, oldest_entry: oldestRead } = read[0];
    const rows = read.filter((row): row is EntriesRead & LikedPhoto => row.id !== null);
    const exhausted = entriesRead < want;
    if (!exhausted && (rows.length < want || (oldestRead !== null && compareIdsNewestFirst(rows[rows.length - 1].id, oldestRead) > 0))) return undefined;
    const older = exhausted ? await this.olderPull(userId, stars, oldestRead ?? before, limit, fromPrimary) : [];
    return merge([collect(rows)], older, limit);
  }

  /**
   * Where the reader's entries ran out: the photos of the other followees
   * below `below` (the oldest entry read), by the pull query; without the
   * reader's likes.
   */
  private async olderPull(userId: string, stars: readonly string[], below: string | undefined, limit: number, fromPrimary: boolean): Promise<PhotoRow[]> {
    const celebrity = new Set(stars);
    const ordinary = (await this.follows.followees(userId, fromPrimary)).filter((id) => !celebrity.has(id));
    return this.photos.listByAuthors(ordinary, below, limit, fromPrimary);
  }

  /**
   * The newest photos of the reader and of the celebrities they follow, one
   * statement per server holding some of them: the follow is checked on that
   * server's `followers` (the followee's side), so no round trip to the
   * reader's server first; candidates are IDs only (photos_user_id_idx), then
   * the page's rows by primary key.
   */
  private async celebrityPhotos(
    userId: string,
    authorsByNode: ReadonlyMap<DatabaseNode, readonly string[]>,
    before: string | undefined,
    limit: number,
    fromPrimary: boolean,
  ): Promise<ReadPhotos> {
    const perNode = await Promise.all(
      [...authorsByNode].map(([node, ids]) =>
        node.read<LikedPhoto>(
          `SELECT ${photoColumns('photos')}, EXISTS (SELECT 1 FROM likes WHERE likes.photo_id = photos.id AND likes.user_id = $1) AS liked
             FROM (SELECT p.id FROM (SELECT c.user_id FROM (SELECT DISTINCT unnest($2::bigint[]) AS user_id) AS c
                                      WHERE c.user_id = $1 OR (SELECT true FROM followers f WHERE f.followee_id = c.user_id AND f.follower_id = $1)) AS a
                     CROSS JOIN LATERAL (SELECT id FROM photos WHERE photos.user_id = a.user_id AND id < COALESCE($3::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $4) AS p
                     ORDER BY p.id DESC LIMIT $4) AS page
             JOIN photos ON photos.id = page.id`,
          [userId, ids, before ?? null, limit + 1],
          fromPrimary,
        ),
      ),
    );
    return collect(perNode.flatMap((result) => result.rows));
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
    firstRound?: Promise<EntryRow[]>,
  ): Promise<ReadPhotos & { exhausted: boolean; oldestRead?: string }> {
    const node = this.db.forId(userId);
    const rows: PhotoRow[] = [];
    const liked: string[] = [];
    let cursor = before;
    let oldestRead: string | undefined;
    let exhausted = false;
    for (let round = 0; round < MAX_ENTRY_ROUNDS && rows.length <= limit; round++) {
      const want = limit + 1 - rows.length;
      const entries = round === 0 && firstRound ? sortedEntries(await firstRound) : await this.nextEntries(node, userId, cursor, want, fromPrimary);
      if (entries.length > 0) oldestRead = entries[entries.length - 1].entry_photo_id;
      const found = await this.hydrate(node, userId, entries, fromPrimary);
      rows.push(...found.rows);
      liked.push(...found.liked);
      if (entries.length < want) {
        exhausted = true;
        break;
      }
      cursor = oldestRead;
    }
    return { rows: rows.sort(byIdDesc), liked, exhausted, oldestRead };
  }

  /** `want` entries before `cursor`, newest first, each with its photo where the reader's server has one. */
  private async nextEntries(node: DatabaseNode, userId: string, cursor: string | undefined, want: number, fromPrimary: boolean): Promise<EntryRow[]> {
    // The follow check is a scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a join and, expecting
    // ~20 follows per reader, hashes all of the reader's entries and sorts them (1,495 rows for the benchmark's
    // reader, 0.8 ms); as a per-row filter it walks feed_entries_pkey backward and stops at the page (21 rows,
    // 0.4 ms). The joins to photos and likes are outside the LIMIT, or they would run for every entry.
    const { rows } = await node.read<EntryRow>(
      `SELECT e.photo_id AS entry_photo_id, ${photoColumns('p')},
              CASE WHEN p.id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM likes l WHERE l.photo_id = p.id AND l.user_id = $1) END AS liked
         FROM (SELECT fe.photo_id FROM feed_entries fe
                WHERE fe.user_id = $1 AND fe.photo_id < COALESCE($2::bigint, ${NO_CURSOR})
                  AND (SELECT true FROM following f WHERE f.follower_id = $1 AND f.followee_id = fe.author_id)
                ORDER BY fe.photo_id DESC LIMIT $3) AS e
         LEFT JOIN photos p ON p.id = e.photo_id
        ORDER BY e.photo_id DESC`,
      [userId, cursor ?? null, want],
      fromPrimary,
    );
    return rows;
  }

  /**
   * The entries' photos: from the join where the reader's server owns the
   * photo (no row there: deleted), by ID from their owners otherwise (one
   * query per server, with the reader's likes). Only the owner's answer
   * counts: a server may still hold a copy of a shard it gave away (a move not
   * yet cleaned up), or not yet own one it is receiving.
   */
  private async hydrate(node: DatabaseNode, userId: string, entries: readonly EntryRow[], fromPrimary: boolean): Promise<ReadPhotos> {
    const local: LikedPhoto[] = [];
    const elsewhere: string[] = [];
    for (const entry of entries) {
      if (this.db.forId(entry.entry_photo_id) !== node) elsewhere.push(entry.entry_photo_id);
      else if (joinedPhoto(entry)) local.push(entry);
    }
    const remote = await Promise.all(
      [...this.db.groupByNode(elsewhere)].map(([owner, ids]) =>
        owner.read<LikedPhoto>(
          `SELECT ${photoColumns('photos')}, EXISTS (SELECT 1 FROM likes WHERE likes.photo_id = photos.id AND likes.user_id = $1) AS liked
             FROM photos WHERE id = ANY($2::bigint[])`,
          [userId, ids],
          fromPrimary,
        ),
      ),
    );
    return collect([...local, ...remote.flatMap((result) => result.rows)]);
  }
}
