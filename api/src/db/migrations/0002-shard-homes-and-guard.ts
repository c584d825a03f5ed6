import type { Migration } from './migration';

/**
 * Gives every row exactly one home logical shard, and adds what the online
 * resharding tool (tools/reshard) needs on every server. See docs/sharding.md.
 *
 * 1. `follows` (one row written to both users' primaries) becomes two tables,
 *    each with a single home: `following` lives on the follower's shard ("whom
 *    do I follow", read by the feed) and `followers` on the followee's shard
 *    (fan-out, follower lists). A row with two homes cannot be fenced or moved
 *    exactly: when only one of its shards moves, it has to stay and go at once.
 * 2. `users.follower_count` / `following_count`: counters kept by the follows
 *    repository in the same transaction as the edge row on that user's server,
 *    so a profile read no longer counts up to millions of rows.
 * 3. Control tables, per server: `shard_moves` (the state of each logical
 *    shard that is moving or has moved away) and `shard_changes` (keys written
 *    to a shard while it is being copied).
 * 4. `graminsta_shard_guard()`, a BEFORE row trigger on every sharded table:
 *    for a row whose home shard has no `shard_moves` row it does one indexed
 *    lookup and nothing else; while the shard is 'copying' it logs the row's
 *    key to `shard_changes`; 'frozen' refuses the write with SQLSTATE 55G01 and
 *    'moved' with 55G02 (message names the new server), which the API turns
 *    into a bounded wait or a re-route. 'incoming' (a move's target) allows.
 *    Arguments: the column whose ID gives the home shard, then the primary key
 *    columns (logged as a JSON object; bytea keys appear as "\\x…" text, which
 *    `jsonb_populate_record(NULL::<table>, key)` turns back into the row type).
 *
 * The resharding tool's own sessions bypass the guard with
 * `SET graminsta.shard_guard = 'off'` (a custom setting any role may set: RDS
 * gives no superuser, so `session_replication_role` is not relied on). The
 * API never sets it.
 *
 * Rolling update note: `follows` is dropped here, so during a rolling update
 * from a version before this migration the old instances' follow routes and
 * profile reads fail until they are replaced (minutes at 1k+). No deployment
 * of this project predates it; a later change of this kind would keep the old
 * table until every instance runs the new code.
 */
export const shardHomesAndGuard: Migration = {
  version: 2,
  name: 'shard-homes-and-guard',
  sql: `
CREATE TABLE following (
  follower_id bigint NOT NULL,
  followee_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);

CREATE TABLE followers (
  followee_id bigint NOT NULL,
  follower_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (followee_id, follower_id),
  CHECK (follower_id <> followee_id)
);

-- Before 1m one server holds every shard, so every edge has both homes here.
INSERT INTO following (follower_id, followee_id, created_at) SELECT follower_id, followee_id, created_at FROM follows;
INSERT INTO followers (followee_id, follower_id, created_at) SELECT followee_id, follower_id, created_at FROM follows;

ALTER TABLE users
  ADD COLUMN follower_count  integer NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
  ADD COLUMN following_count integer NOT NULL DEFAULT 0 CHECK (following_count >= 0);
UPDATE users u SET
  follower_count  = (SELECT count(*) FROM followers f WHERE f.followee_id = u.id),
  following_count = (SELECT count(*) FROM following f WHERE f.follower_id = u.id);

DROP TABLE follows;

CREATE TABLE shard_moves (
  shard      smallint PRIMARY KEY CHECK (shard BETWEEN 0 AND 4095),
  state      text NOT NULL CHECK (state IN ('copying', 'frozen', 'moved', 'incoming')),
  peer       text NOT NULL,
  run_id     text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shard_changes (
  seq        bigserial PRIMARY KEY,
  shard      smallint NOT NULL,
  table_name text NOT NULL,
  key        jsonb NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shard_changes_shard_idx ON shard_changes (shard, seq);

CREATE FUNCTION graminsta_shard_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  row_json   jsonb;
  home       smallint;
  move_state text;
  move_peer  text;
  row_key    jsonb := '{}'::jsonb;
  i          integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    row_json := to_jsonb(OLD);
  ELSE
    row_json := to_jsonb(NEW);
  END IF;
  home := (((row_json ->> TG_ARGV[0])::bigint >> 10) & 4095)::smallint;
  SELECT state, peer INTO move_state, move_peer FROM shard_moves WHERE shard = home;
  IF FOUND AND move_state <> 'incoming' AND coalesce(current_setting('graminsta.shard_guard', true), '') <> 'off' THEN
    IF move_state = 'frozen' THEN
      RAISE EXCEPTION 'logical shard % is frozen for a move', home USING ERRCODE = '55G01';
    ELSIF move_state = 'moved' THEN
      RAISE EXCEPTION 'logical shard % moved to %', home, move_peer USING ERRCODE = '55G02';
    END IF;
    -- 'copying': remember the key, so the tool's catch-up copies the row again.
    FOR i IN 1 .. TG_NARGS - 1 LOOP
      row_key := row_key || jsonb_build_object(TG_ARGV[i], row_json -> TG_ARGV[i]);
    END LOOP;
    INSERT INTO shard_changes (shard, table_name, key) VALUES (home, TG_TABLE_NAME, row_key);
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('id', 'id');
CREATE TRIGGER photos_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON photos
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('id', 'id');
CREATE TRIGGER likes_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON likes
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('photo_id', 'photo_id', 'user_id');
CREATE TRIGGER following_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON following
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('follower_id', 'follower_id', 'followee_id');
CREATE TRIGGER followers_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON followers
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('followee_id', 'followee_id', 'follower_id');
CREATE TRIGGER sessions_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('user_id', 'token_hash');
`,
};
