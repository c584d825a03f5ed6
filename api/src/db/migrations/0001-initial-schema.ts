import type { Migration } from './migration';

/**
 * Users, sessions, photos, follows, likes and rate-limit windows, plus the ID
 * function. Every row is keyed by a 64-bit ID that carries its logical shard
 * (contracts/ids.ts); `shard` columns are generated from the ID so the
 * resharding tool can move a shard range with one indexed predicate.
 *
 * Placement at 1m (several primaries): a user, their photos and the likes of
 * those photos live on the user's shard; a follow edge is written to both the
 * follower's and the followee's primary (one row when they share a primary).
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial-schema',
  sql: `
CREATE SEQUENCE graminsta_id_seq;

-- 41 bits of ms since 2026-01-01 | 12 bits logical shard | 10 bits sequence.
CREATE FUNCTION graminsta_next_id(shard integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  epoch_ms constant bigint := 1767225600000;
  now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  seq bigint := nextval('graminsta_id_seq') % 1024;
BEGIN
  IF shard < 0 OR shard > 4095 THEN
    RAISE EXCEPTION 'logical shard % out of range', shard;
  END IF;
  RETURN ((now_ms - epoch_ms) << 22) | (shard::bigint << 10) | seq;
END;
$$;

CREATE TABLE users (
  id            bigint PRIMARY KEY,
  shard         smallint GENERATED ALWAYS AS (((id >> 10) & 4095)::smallint) STORED,
  username      text NOT NULL CHECK (username ~ '^[a-z0-9_]{3,30}$'),
  password_hash text NOT NULL,
  photo_count   integer NOT NULL DEFAULT 0 CHECK (photo_count >= 0),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_shard_idx ON users (shard);

-- Sessions when no Redis is configured; tokens are stored only as SHA-256.
CREATE TABLE sessions (
  token_hash    bytea PRIMARY KEY,
  user_id       bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_write_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE photos (
  id           bigint PRIMARY KEY,
  shard        smallint GENERATED ALWAYS AS (((id >> 10) & 4095)::smallint) STORED,
  user_id      bigint NOT NULL,
  caption      text NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  size         integer NOT NULL CHECK (size BETWEEN 1 AND 10485760),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
  like_count   integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- A user's photos, newest first (keyset pagination on id), and the feed's per-author scans.
CREATE INDEX photos_user_id_idx ON photos (user_id, id DESC);
CREATE INDEX photos_shard_idx ON photos (shard);

CREATE TABLE follows (
  follower_id bigint NOT NULL,
  followee_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
-- followerCount and the reverse lookup.
CREATE INDEX follows_followee_idx ON follows (followee_id, follower_id);

CREATE TABLE likes (
  photo_id   bigint NOT NULL,
  user_id    bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (photo_id, user_id)
);
CREATE INDEX likes_user_idx ON likes (user_id, photo_id);

-- Fixed-window rate-limit counters when no Redis is configured.
CREATE TABLE rate_limits (
  key        text PRIMARY KEY,
  count      integer NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
};
