import type { Client } from 'pg';
import type { MoveRow, MoveState } from './placement';
import type { Progress } from '../lib/progress';

/** Every `shard_moves` row a server holds. */
export async function readMoves(client: Client): Promise<MoveRow[]> {
  const { rows } = await client.query<{ shard: number; state: MoveState; peer: string; run_id: string }>(`SELECT shard, state, peer, run_id FROM shard_moves ORDER BY shard`);
  return rows.map((r) => ({ shard: Number(r.shard), state: r.state, peer: r.peer, runId: r.run_id }));
}

/** Sets the fence state of `shards` on one server (insert or overwrite). */
export async function setMoves(client: Client, shards: readonly number[], state: MoveState, peer: string, runId: string): Promise<void> {
  await client.query(
    `INSERT INTO shard_moves (shard, state, peer, run_id) SELECT s, $2, $3, $4 FROM unnest($1::smallint[]) AS s
     ON CONFLICT (shard) DO UPDATE SET state = EXCLUDED.state, peer = EXCLUDED.peer, run_id = EXCLUDED.run_id, updated_at = now()`,
    [shards, state, peer, runId],
  );
}

/** Removes the fence rows of `shards` in `states` on one server. */
export async function deleteMoves(client: Client, shards: readonly number[], states: readonly MoveState[]): Promise<void> {
  await client.query(`DELETE FROM shard_moves WHERE shard = ANY($1::smallint[]) AND state = ANY($2::text[])`, [shards, states]);
}

/** Runs `work` in one transaction on `client`. */
export async function inTransaction<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Waits until every transaction that was open in this database when it was
 * called has ended. Call it right after committing a fence change: a writer
 * whose guard trigger read `shard_moves` before the change may still commit
 * after it, and only once such writers are gone is "every later write is
 * logged / refused" true.
 *
 * It waits on virtual transaction IDs (the technique of CREATE INDEX
 * CONCURRENTLY), not on `pg_snapshot_xmin`: a transaction gets a real xid
 * only at its first heap write, which comes AFTER the BEFORE trigger ran, so
 * a writer that passed the guard's fast path can still have no xid, and an
 * xmin test would miss it. Every transaction holds its virtual xid lock from
 * its first statement.
 *
 * With a `deadline` (inside the write pause) it gives up then and returns
 * false; otherwise it returns true once they have all ended.
 */
export async function waitForOlderTransactions(client: Client, progress: Progress, what: string, deadline?: number): Promise<boolean> {
  const { rows } = await client.query<{ vxid: string }>(`
    SELECT l.virtualxid AS vxid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid() AND a.datname = current_database()`);
  let waiting = rows.map((r) => r.vxid);
  const started = Date.now();
  let reported = started;
  while (waiting.length > 0) {
    const still = await client.query<{ vxid: string }>(`SELECT virtualxid AS vxid FROM pg_locks WHERE locktype = 'virtualxid' AND granted AND virtualxid = ANY($1::text[])`, [waiting]);
    waiting = still.rows.map((r) => r.vxid);
    if (waiting.length === 0) break;
    if (deadline !== undefined && Date.now() > deadline) return false;
    if (Date.now() - reported >= 5_000) {
      reported = Date.now();
      progress.log(`reshard: ${what}: still waiting for ${waiting.length} transaction(s) older than the change (${Math.round((Date.now() - started) / 1000)} s; a session idle in transaction holds this up)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
