import type { Migration } from './migration';

/**
 * The asynchronous work of stage 1m (docs/queue.md).
 *
 * `feed_entries`: the precomputed feed (fan-out on write), one row per reader
 * and photo, living on the READER's logical shard (`user_id`), so a feed page
 * is one index range on one server. `author_id` lets a read keep only the
 * authors the reader still follows; the `photo_id` index serves retraction.
 * The shard guard (migration 0002) is attached like on every sharded table,
 * so the resharding tool logs, fences and moves these rows with the user.
 *
 * `jobs` / `jobs_dead`: the PostgreSQL work queue (api/src/queue/), used only
 * on the first primary of the shard map and never moved (not sharded, no
 * guard). Created on every server because every server gets every migration.
 */
export const feedEntriesAndJobs: Migration = {
  version: 3,
  name: 'feed-entries-and-jobs',
  sql: `
CREATE TABLE feed_entries (
  user_id    bigint NOT NULL,
  photo_id   bigint NOT NULL,
  author_id  bigint NOT NULL,
  created_at timestamptz NOT NULL,
  shard      smallint GENERATED ALWAYS AS (((user_id >> 10) & 4095)::smallint) STORED,
  PRIMARY KEY (user_id, photo_id)
);
CREATE INDEX feed_entries_photo_idx ON feed_entries (photo_id);
CREATE INDEX feed_entries_shard_idx ON feed_entries (shard);
CREATE TRIGGER feed_entries_shard_guard BEFORE INSERT OR UPDATE OR DELETE ON feed_entries
  FOR EACH ROW EXECUTE FUNCTION graminsta_shard_guard('user_id', 'user_id', 'photo_id');

CREATE TABLE jobs (
  id         bigserial PRIMARY KEY,
  type       text NOT NULL,
  body       jsonb NOT NULL,
  attempts   integer NOT NULL DEFAULT 0,
  -- Claimable when visible_at has passed: at once, after a retry delay, or after a dead worker's deadline.
  visible_at timestamptz NOT NULL DEFAULT now(),
  -- Set per delivery: only the worker holding it may ack or fail the job.
  receipt    uuid,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_visible_idx ON jobs (visible_at, id);

CREATE TABLE jobs_dead (
  id         bigint PRIMARY KEY,
  type       text NOT NULL,
  body       jsonb NOT NULL,
  attempts   integer NOT NULL,
  last_error text NOT NULL,
  created_at timestamptz NOT NULL,
  died_at    timestamptz NOT NULL DEFAULT now()
);
`,
};
