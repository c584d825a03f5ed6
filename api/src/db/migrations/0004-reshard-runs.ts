import type { Migration } from './migration';

/**
 * The resharding tool's run state (tools/reshard), on the SOURCE server of a
 * move: which shards go where, the step reached, the bulk copy's keyset
 * position per table and the measured write pause. Every step reads it back,
 * so a killed run resumes where it stopped. The API never reads it.
 */
export const reshardRuns: Migration = {
  version: 4,
  name: 'reshard-runs',
  sql: `
CREATE TABLE reshard_runs (
  run_id        text PRIMARY KEY,
  shards        smallint[] NOT NULL CHECK (cardinality(shards) > 0),
  source        text NOT NULL,
  target        text NOT NULL CHECK (target <> source),
  step          text NOT NULL CHECK (step IN ('copying', 'catching-up', 'frozen', 'flipping', 'settling', 'cleaning', 'done')),
  copy_position jsonb NOT NULL DEFAULT '{}',
  rows_copied   bigint NOT NULL DEFAULT 0,
  changes_applied bigint NOT NULL DEFAULT 0,
  frozen_at     timestamptz,
  flipped_at    timestamptz,
  pause_ms      integer,
  started_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
-- Runs still in progress (at most a few): the tool checks them before starting another.
CREATE INDEX reshard_runs_open_idx ON reshard_runs (step) WHERE step <> 'done';
`,
};
