/**
 * The SQL and JSON shapes the baselines share with the API, so a baseline does
 * the same database work and answers the same bytes as the route it is
 * compared with. Keep the SQL in step with the API's repositories.
 */
import { NO_CURSOR } from '../../contracts/ids';

/** `GET /api/users/:id` (UsersRepository.profile): the user row; the follow counters are columns kept by the follows repository (migration 2). */
export const USER_SQL = 'SELECT id, username, created_at, photo_count, follower_count, following_count FROM users WHERE id = $1';

const PHOTO_COLUMNS = 'id, user_id, caption, content_type, size, status, like_count, created_at';

/** `GET /api/users/:id/photos` (PhotosRepository.listByUser): newest first, keyset pagination on the ID, limit + 1 rows. */
export const USER_PHOTOS_SQL = `SELECT ${PHOTO_COLUMNS} FROM photos WHERE user_id = $1 AND id < COALESCE($2::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $3`;

/** Whom a reader follows (FollowsRepository.followees): the feed's first query on several servers; the query-plan report's input. */
export const FOLLOWEES_SQL = 'SELECT followee_id FROM following WHERE follower_id = $1';

const QUALIFIED_COLUMNS = PHOTO_COLUMNS.split(', ').map((column) => `photos.${column}`).join(', ');

/**
 * `GET /api/feed` on one server (PullFeed): one statement, the reader's
 * followees inside it, candidates as IDs from photos_user_id_idx, then the
 * page's rows and the reader's likes of them. Parameters: reader, cursor, limit + 1.
 */
export const FEED_SQL = `SELECT ${QUALIFIED_COLUMNS}, EXISTS (SELECT 1 FROM likes WHERE likes.photo_id = photos.id AND likes.user_id = $1) AS liked
         FROM (SELECT p.id FROM (SELECT $1::bigint AS user_id UNION SELECT followee_id FROM following WHERE follower_id = $1) AS a
                 CROSS JOIN LATERAL (SELECT id FROM photos WHERE photos.user_id = a.user_id AND id < COALESCE($2::bigint, ${NO_CURSOR}) ORDER BY id DESC LIMIT $3) AS p
                 ORDER BY p.id DESC LIMIT $3) AS page
         JOIN photos ON photos.id = page.id
        ORDER BY photos.id DESC`;

/** `POST /api/photos` (PhotosRepository.create): the photo and its owner's counter in one statement. */
export const INSERT_PHOTO_SQL = `WITH photo AS (
           INSERT INTO photos (id, user_id, caption, content_type, size) VALUES (graminsta_next_id($1), $2, $3, $4, $5) RETURNING ${PHOTO_COLUMNS}
         ), counted AS (
           UPDATE users SET photo_count = photo_count + 1 WHERE id = $2
         )
         SELECT ${PHOTO_COLUMNS} FROM photo`;

/** Log-in (UsersRepository.credentials). */
export const CREDENTIALS_SQL = 'SELECT id, password_hash FROM users WHERE username = $1';

/** Every statement above, for the test that keeps them identical to the API's repositories. */
export const MIRRORED_SQL = { USER_SQL, USER_PHOTOS_SQL, FOLLOWEES_SQL, FEED_SQL, INSERT_PHOTO_SQL, CREDENTIALS_SQL } as const;

export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly created_at: Date;
  readonly photo_count: number;
  readonly follower_count: number;
  readonly following_count: number;
}

export interface PhotoRow {
  readonly id: string;
  readonly user_id: string;
  readonly caption: string;
  readonly content_type: string;
  readonly status: string;
  readonly like_count: number;
  readonly created_at: Date;
}

/** The contract's user JSON. */
export function userJson(row: UserRow): string {
  return JSON.stringify({
    id: row.id,
    username: row.username,
    createdAt: row.created_at.toISOString(),
    photoCount: row.photo_count,
    followerCount: row.follower_count,
    followingCount: row.following_count,
  });
}

/** The contract's Photo object (local storage URL, as the API answers without a CDN). */
export function photoObject(row: PhotoRow) {
  return {
    id: row.id,
    userId: row.user_id,
    caption: row.caption,
    contentType: row.content_type,
    url: `/media/${row.id}`,
    createdAt: row.created_at.toISOString(),
    likeCount: row.like_count,
    status: row.status,
  };
}

/** The Redis key the Redis baseline reads: the API's `user:{id}` view, under its own prefix so the API's cache is untouched. */
export const baselineUserKey = (id: string) => `bench:user:${id}`;
