import type { Client } from 'pg';

/** The steps of a run, in order (docs/resharding.md); `reshard_runs.step` holds the one reached. */
export const STEPS = ['copying', 'catching-up', 'frozen', 'flipping', 'settling', 'cleaning', 'done'] as const;
export type Step = (typeof STEPS)[number];

/** One run's state, read from `reshard_runs` on the source. */
export interface Run {
  readonly runId: string;
  readonly shards: readonly number[];
  readonly source: string;
  readonly target: string;
  readonly step: Step;
  /** Bulk copy keyset position per table: the last copied key (as text), or 'done'. */
  readonly copyPosition: Readonly<Record<string, readonly string[] | 'done'>>;
  readonly rowsCopied: number;
  readonly changesApplied: number;
  readonly frozenAt: Date | null;
  readonly flippedAt: Date | null;
  readonly pauseMs: number | null;
  readonly startedAt: Date;
}

interface RunRow {
  run_id: string;
  shards: number[];
  source: string;
  target: string;
  step: Step;
  copy_position: Record<string, string[] | 'done'>;
  rows_copied: string;
  changes_applied: string;
  frozen_at: Date | null;
  flipped_at: Date | null;
  pause_ms: number | null;
  started_at: Date;
}

function toRun(row: RunRow): Run {
  return {
    runId: row.run_id,
    shards: row.shards.map(Number),
    source: row.source,
    target: row.target,
    step: row.step,
    copyPosition: row.copy_position,
    rowsCopied: Number(row.rows_copied),
    changesApplied: Number(row.changes_applied),
    frozenAt: row.frozen_at,
    flippedAt: row.flipped_at,
    pauseMs: row.pause_ms,
    startedAt: row.started_at,
  };
}

/** Runs not yet done on this server (the source of each). */
export async function openRuns(client: Client): Promise<Run[]> {
  const { rows } = await client.query<RunRow>(`SELECT * FROM reshard_runs WHERE step <> 'done' ORDER BY started_at`);
  return rows.map(toRun);
}

export async function getRun(client: Client, runId: string): Promise<Run> {
  const { rows } = await client.query<RunRow>(`SELECT * FROM reshard_runs WHERE run_id = $1`, [runId]);
  if (!rows[0]) throw new Error(`reshard run ${runId} vanished from the source`);
  return toRun(rows[0]);
}

export async function insertRun(client: Client, run: { runId: string; shards: readonly number[]; source: string; target: string }): Promise<void> {
  await client.query(`INSERT INTO reshard_runs (run_id, shards, source, target, step) VALUES ($1, $2::smallint[], $3, $4, 'copying')`, [
    run.runId,
    run.shards,
    run.source,
    run.target,
  ]);
}

export async function setStep(client: Client, runId: string, step: Step, extra: { frozenAt?: 'now' | null; flippedAt?: 'now'; pauseMs?: number } = {}): Promise<void> {
  const sets = ['step = $2', 'updated_at = now()'];
  if (extra.frozenAt === 'now') sets.push('frozen_at = clock_timestamp()');
  if (extra.frozenAt === null) sets.push('frozen_at = NULL');
  if (extra.flippedAt === 'now') sets.push('flipped_at = clock_timestamp()');
  if (extra.pauseMs !== undefined) sets.push(`pause_ms = ${Math.round(extra.pauseMs)}`);
  if (step === 'done') sets.push('finished_at = now()');
  await client.query(`UPDATE reshard_runs SET ${sets.join(', ')} WHERE run_id = $1`, [runId, step]);
}

/** Records a table's bulk copy position after its batch committed on the target. */
export async function recordCopy(client: Client, runId: string, table: string, position: readonly string[] | 'done', rows: number): Promise<void> {
  await client.query(
    `UPDATE reshard_runs SET copy_position = copy_position || jsonb_build_object($2::text, $3::jsonb), rows_copied = rows_copied + $4, updated_at = now() WHERE run_id = $1`,
    [runId, table, JSON.stringify(position), rows],
  );
}

export async function recordChanges(client: Client, runId: string, applied: number): Promise<void> {
  await client.query(`UPDATE reshard_runs SET changes_applied = changes_applied + $2, updated_at = now() WHERE run_id = $1`, [runId, applied]);
}
