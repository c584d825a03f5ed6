import { composeId, ID_EPOCH_MS, shardForUsername } from '../../contracts/ids';
import { PHOTO_CONTENT_TYPES } from '../../contracts/photo-uploads';
import { permutation, seededRandom } from './random';
import { drawRank, zipfCdf, zipfCounts } from './zipf';

/** The tables the seed fills. */
export type SeededTable = 'users' | 'photos' | 'following' | 'followers' | 'feed_entries';
/** Which logical shards a server owns: rows whose home shard fails it are left out. */
export type ShardFilter = (shard: number) => boolean;
export const ALL_SHARDS: ShardFilter = () => true;

export interface DataSetOptions {
  readonly users: number;
  readonly photos: number;
  readonly follows: number;
  /** PRNG seed: the same options build the same rows. @default 1 */
  readonly seed?: number;
  /** Accounts the benchmark's reader follows (its feed). @default 200 */
  readonly readerFollows?: number;
}

/** Every seeded user has this password (one production-cost scrypt hash shared by all). */
export const BENCH_PASSWORD = 'bench-password-1';
/** User 0: follows `readerFollows` accounts, the celebrities among them; the feed scenario logs in as this user. */
export const READER_USERNAME = 'bench_reader';

/** The API's default FEED_CELEBRITY_FOLLOWERS: authors above it are read at request time, never fanned out. */
export const DEFAULT_CELEBRITY_FOLLOWERS = 10_000;
/** Every this-many-th user (the reader is user 0) gets a seeded precomputed feed. */
const FEED_SAMPLE = 10;

/** Zipf exponents: followers are strongly skewed (celebrities), photos per user mildly. */
const FOLLOWER_SKEW = 0.9;
const PHOTO_SKEW = 0.7;
const DAY_MS = 86_400_000;
/** Users sign up over the first 60 days after the ID epoch, photos follow over the next 240: all in the past, IDs time-ordered. */
const USERS_SPAN_MS = 60 * DAY_MS;
const PHOTOS_START_MS = ID_EPOCH_MS + USERS_SPAN_MS;
const PHOTOS_SPAN_MS = 240 * DAY_MS;

/**
 * A realistic data set, planned in memory before any row is written: user
 * IDs, who owns each photo, and each user's followers. Rows are produced on
 * demand by the `*Rows` generators in COPY text format.
 */
export class DataSet {
  readonly users: number;
  readonly photos: number;
  readonly follows: number;
  readonly userIds: readonly bigint[];
  /** Logical shard per user index (from the username, as the API assigns it). */
  readonly userShard: Int16Array;
  readonly photoOwner: Int32Array;
  readonly photoCount: Int32Array;
  /** Followers per user index. */
  readonly followerCount: Int32Array;
  /** User indices the reader (user 0) follows. */
  readonly readerFollowees: Int32Array;
  /** The most-followed user indices, most followed first. */
  readonly celebrities: readonly number[];
  private readonly seed: number;
  private outDegrees?: Int32Array;
  private byOwner?: { readonly start: Int32Array; readonly index: Int32Array };

  constructor(options: DataSetOptions) {
    const { users, photos, follows } = options;
    const readerFollows = options.readerFollows ?? 200;
    if (!Number.isInteger(users) || users < 3) throw new Error(`--users must be an integer of at least 3, got ${users}`);
    if (!Number.isInteger(photos) || photos < 0) throw new Error(`--photos must be a non-negative integer, got ${photos}`);
    if (!Number.isInteger(readerFollows) || readerFollows < 0 || readerFollows > users - 1) {
      throw new Error(`the reader can follow 0..${users - 1} accounts, got ${readerFollows}`);
    }
    if (!Number.isInteger(follows) || follows < readerFollows || follows - readerFollows > users * (users - 2)) {
      throw new Error(`--follows must be an integer between ${readerFollows} and ${readerFollows + users * (users - 2)} for ${users} users, got ${follows}`);
    }
    this.users = users;
    this.photos = photos;
    this.follows = follows;
    this.seed = options.seed ?? 1;
    const random = seededRandom(this.seed);

    this.userShard = Int16Array.from({ length: users }, (_, i) => shardForUsername(this.username(i)));
    this.userIds = Array.from({ length: users }, (_, i) => composeId(this.userCreatedMs(i), this.userShard[i], i));

    // Photos: owners drawn from a Zipf over a shuffled ranking of users.
    const photoRanking = permutation(users, random);
    const cdf = zipfCdf(users, PHOTO_SKEW);
    this.photoOwner = new Int32Array(photos);
    this.photoCount = new Int32Array(users);
    for (let j = 0; j < photos; j++) {
      const owner = photoRanking[drawRank(cdf, random())];
      this.photoOwner[j] = owner;
      this.photoCount[owner] += 1;
    }

    // Followers: in-degrees by Zipf rank (at most users - 2: not yourself, not the reader).
    const followerRanking = permutation(users, random);
    const degrees = zipfCounts(follows - readerFollows, users, FOLLOWER_SKEW, users - 2);
    this.followerCount = new Int32Array(users);
    for (let r = 0; r < users; r++) this.followerCount[followerRanking[r]] = degrees[r];
    this.celebrities = Array.from(followerRanking.slice(0, Math.min(5, users)));

    // The reader follows the celebrities plus random others, never itself.
    const chosen = new Set<number>(this.celebrities.filter((u) => u !== 0).slice(0, readerFollows));
    while (chosen.size < readerFollows) {
      const u = 1 + Math.floor(random() * (users - 1));
      chosen.add(u);
    }
    this.readerFollowees = Int32Array.from(chosen);
    for (const u of this.readerFollowees) this.followerCount[u] += 1;
  }

  username(i: number): string {
    return i === 0 ? READER_USERNAME : `user_${String(i).padStart(7, '0')}`;
  }

  userCreatedMs(i: number): number {
    return ID_EPOCH_MS + Math.floor((i * USERS_SPAN_MS) / this.users);
  }

  /** Accounts each user follows (out-degree), counted once from the follow edges on first use. */
  get followingCount(): Int32Array {
    if (!this.outDegrees) {
      const counts = new Int32Array(this.users);
      for (const [follower] of this.followPairs()) counts[follower] += 1;
      this.outDegrees = counts;
    }
    return this.outDegrees;
  }

  /**
   * Rows per table that a server owning the shards `keep` accepts holds, for
   * progress bars and reports (design §2 placement: users and photos on the
   * owner's shard, `following` on the follower's, `followers` on the followee's).
   */
  rowCounts(keep: ShardFilter = ALL_SHARDS, celebrityFollowers = DEFAULT_CELEBRITY_FOLLOWERS): Readonly<Record<SeededTable, number>> {
    const out = { users: 0, photos: 0, following: 0, followers: 0, feed_entries: 0 };
    for (const [follower, followee] of this.followPairs()) {
      if (this.hasSeededFeed(follower) && keep(this.userShard[follower]) && this.followerCount[followee] <= celebrityFollowers) out.feed_entries += this.photoCount[followee];
    }
    const following = this.followingCount;
    for (let i = 0; i < this.users; i++) {
      if (!keep(this.userShard[i])) continue;
      out.users += 1;
      out.photos += this.photoCount[i];
      out.following += following[i];
      out.followers += this.followerCount[i];
    }
    return out;
  }

  /** `users (id, username, password_hash, photo_count, follower_count, following_count, created_at)` rows of the kept shards, counters included. */
  *userRows(passwordHash: string, keep: ShardFilter = ALL_SHARDS): Generator<string> {
    const following = this.followingCount;
    for (let i = 0; i < this.users; i++) {
      if (!keep(this.userShard[i])) continue;
      yield `${this.userIds[i]}\t${this.username(i)}\t${passwordHash}\t${this.photoCount[i]}\t${this.followerCount[i]}\t${following[i]}\t${new Date(this.userCreatedMs(i)).toISOString()}\n`;
    }
  }

  /** `photos (id, user_id, caption, content_type, size, status, like_count, created_at)` rows of the kept shards, oldest first. */
  *photoRows(keep: ShardFilter = ALL_SHARDS): Generator<string> {
    const random = seededRandom(this.seed + 1);
    for (let j = 0; j < this.photos; j++) {
      const owner = this.photoOwner[j];
      // Drawn for every photo, kept or not, so a photo is the same row in every layout.
      const size = 50_000 + Math.floor(random() * 3_000_000);
      if (!keep(this.userShard[owner])) continue;
      const ms = this.photoMs(j);
      const id = this.photoId(j, ms);
      const caption = CAPTIONS[j % CAPTIONS.length];
      yield `${id}\t${this.userIds[owner]}\t${caption} #${j}\t${PHOTO_CONTENT_TYPES[j % PHOTO_CONTENT_TYPES.length]}\t${size}\tready\t0\t${new Date(ms).toISOString()}\n`;
    }
  }

  /** Photo `j`'s ID: its time and its owner's shard (a photo lives on its owner's shard). */
  private photoId(j: number, ms: number): bigint {
    return composeId(ms, this.userShard[this.photoOwner[j]], j);
  }

  private photoMs(j: number): number {
    return PHOTOS_START_MS + Math.floor((j * PHOTOS_SPAN_MS) / Math.max(1, this.photos));
  }

  /**
   * Users whose precomputed feed is seeded: the reader, and every FEED_SAMPLE-th user so the planner
   * sees `feed_entries` spread over many readers (as in production), without the ~10 rows per follow
   * edge that every user's feed would cost.
   */
  hasSeededFeed(user: number): boolean {
    return user % FEED_SAMPLE === 0;
  }

  /** Photo indices per owner (CSR), built on first use. */
  private photosOf(owner: number): Int32Array {
    if (!this.byOwner) {
      const start = new Int32Array(this.users + 1);
      for (let j = 0; j < this.photos; j++) start[this.photoOwner[j] + 1] += 1;
      for (let u = 0; u < this.users; u++) start[u + 1] += start[u];
      const fill = start.slice(0, this.users);
      const index = new Int32Array(this.photos);
      for (let j = 0; j < this.photos; j++) index[fill[this.photoOwner[j]]++] = j;
      this.byOwner = { start, index };
    }
    return this.byOwner.index.subarray(this.byOwner.start[owner], this.byOwner.start[owner + 1]);
  }

  /**
   * `feed_entries (user_id, photo_id, author_id, created_at)` rows of the seeded feeds (`hasSeededFeed`:
   * the reader and every FEED_SAMPLE-th user) on kept shards (the reader's): every photo of each account
   * they follow that is not above the celebrity threshold, as fan-out on write leaves them (the follows
   * predate every photo, and feeds are not trimmed).
   */
  *feedEntryRows(keep: ShardFilter = ALL_SHARDS, celebrityFollowers = DEFAULT_CELEBRITY_FOLLOWERS): Generator<string> {
    for (const [follower, followee] of this.followPairs()) {
      if (!this.hasSeededFeed(follower) || !keep(this.userShard[follower]) || this.followerCount[followee] > celebrityFollowers) continue;
      for (const j of this.photosOf(followee)) {
        const ms = this.photoMs(j);
        yield `${this.userIds[follower]}\t${this.photoId(j, ms)}\t${this.userIds[followee]}\t${new Date(ms).toISOString()}\n`;
      }
    }
  }

  /** `following (follower_id, followee_id, created_at)` rows whose follower is on a kept shard. */
  *followingRows(keep: ShardFilter = ALL_SHARDS): Generator<string> {
    const at = new Date(PHOTOS_START_MS).toISOString();
    for (const [follower, followee] of this.followPairs()) {
      if (keep(this.userShard[follower])) yield `${this.userIds[follower]}\t${this.userIds[followee]}\t${at}\n`;
    }
  }

  /** `followers (followee_id, follower_id, created_at)` rows whose followee is on a kept shard. */
  *followerRows(keep: ShardFilter = ALL_SHARDS): Generator<string> {
    const at = new Date(PHOTOS_START_MS).toISOString();
    for (const [follower, followee] of this.followPairs()) {
      if (keep(this.userShard[followee])) yield `${this.userIds[followee]}\t${this.userIds[follower]}\t${at}\n`;
    }
  }

  /** Every follow edge as user indices `[follower, followee]`: the reader's first, then every user's followers. Same edges every call. */
  *followPairs(): Generator<[number, number]> {
    const random = seededRandom(this.seed + 2);
    for (const followee of this.readerFollowees) yield [0, followee];
    const n = this.users;
    const followedByReader = new Set(this.readerFollowees);
    for (let v = 0; v < n; v++) {
      let k = this.followerCount[v] - (followedByReader.has(v) ? 1 : 0);
      if (k === 0) continue;
      // Distinct followers without a set: walk the ring 0..n-1 with a step coprime to n.
      const start = Math.floor(random() * n);
      const step = coprimeStep(n, random);
      for (let t = 0; k > 0; t++) {
        const follower = (start + t * step) % n;
        if (follower === v || follower === 0) continue;
        yield [follower, v];
        k--;
      }
    }
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function coprimeStep(n: number, random: () => number): number {
  if (n <= 2) return 1;
  for (;;) {
    const step = 1 + Math.floor(random() * (n - 1));
    if (gcd(step, n) === 1) return step;
  }
}

const CAPTIONS = [
  'Sunset over the harbour',
  'Morning coffee',
  'Weekend hike with friends',
  'New recipe turned out great',
  'City lights',
  'My cat judging me again',
  'Throwback to last summer',
  'First snow of the year',
];
