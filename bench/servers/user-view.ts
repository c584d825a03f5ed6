/**
 * The SQL and JSON shapes the baselines share with the API, so a baseline does
 * the same database work and answers the same bytes as the route it is
 * compared with. Keep the SQL in step with the API's repositories.
 */

/** `GET /api/users/:id`: the user row with its counters. */
export const USER_SQL = `SELECT u.id::text AS id, u.username, u.created_at, u.photo_count,
  (SELECT count(*) FROM follows f WHERE f.followee_id = u.id)::int AS follower_count,
  (SELECT count(*) FROM follows f WHERE f.follower_id = u.id)::int AS following_count
FROM users u WHERE u.id = $1`;

/** `GET /api/users/:id/photos`: newest first, keyset pagination on the ID. */
export const USER_PHOTOS_SQL = `SELECT id::text AS id, user_id::text AS user_id, caption, content_type, status, like_count, created_at
FROM photos WHERE user_id = $1 ORDER BY id DESC LIMIT $2`;

/** `GET /api/feed`: photos of the accounts the user follows, newest first. */
export const FEED_SQL = `SELECT p.id::text AS id, p.user_id::text AS user_id, p.caption, p.content_type, p.status, p.like_count, p.created_at
FROM follows f
JOIN LATERAL (SELECT * FROM photos WHERE photos.user_id = f.followee_id ORDER BY id DESC LIMIT $2) p ON true
WHERE f.follower_id = $1
ORDER BY p.id DESC LIMIT $2`;

/** `POST /api/photos`: one pending photo on the owner's shard. */
export const INSERT_PHOTO_SQL = `WITH p AS (
  INSERT INTO photos (id, user_id, caption, content_type, size)
  VALUES (graminsta_next_id((($1::bigint >> 10) & 4095)::int), $1, $2, $3, $4)
  RETURNING id, user_id, caption, content_type, status, like_count, created_at
), u AS (UPDATE users SET photo_count = photo_count + 1 WHERE id = $1)
SELECT id::text AS id, user_id::text AS user_id, caption, content_type, status, like_count, created_at FROM p`;

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
