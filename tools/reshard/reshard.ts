import type { Client } from 'pg';
import { CliError } from '../../contracts/cli';
import type { Progress } from '../lib/progress';
import { copyTableRows, scanWindow } from './bulk-copy';
import { catchUpPass, pendingChanges } from './catch-up';
import { deleteWindow } from './cleanup';
import { deleteMoves, inTransaction, setMoves, waitForOlderTransactions } from './fence';
import type { Plan } from './plan';
import { getRun, insertRun, recordChanges, recordCopy, setStep, type Run } from './run-state';
import { failpoint } from './failpoint';
import { formatShardList } from './shard-list';
import { jsonArray } from './row-sql';
import type { ShardedTable } from './tables';
import { compareTable, describeDifference, type ShardCheck } from './verify';

export interface ReshardOptions {
  /** Rows per copy batch, change records per catch-up pass, rows per cleanup delete. @default 1000 */
  readonly batchRows: number;
  /** Longest write pause allowed (freeze → flip); over it, writes resume and the run catches up again. @default 3000 */
  readonly maxPauseMs: number;
  /** Wait after the flip before deleting the source's rows: 2 × the API's SHARD_MOVES_REFRESH_MS. @default 4000 */
  readonly settleMs: number;
  /** Freeze attempts before giving up (writes resumed, exit 1). @default 3 */
  readonly freezeAttempts?: number;
  readonly progress: Progress;
}

export interface ReshardResult {
  readonly runId: string;
  readonly resumed: boolean;
  readonly rowsCopied: number;
  readonly changesApplied: number;
  readonly rowsDeleted: number;
  /** Freeze → flip of the attempt that flipped, measured on the source's clock. */
  readonly pauseMs: number;
  readonly freezeAttempts: number;
}

/** Catch-up stops chasing and freezes once at most this many change records are waiting. */
const FREEZE_WHEN_PENDING = 200;

class PauseOverrun extends Error {}

/**
 * Runs (or resumes) one move, step by step (docs/resharding.md); each step's outcome
 * is stored in `reshard_runs` / `shard_moves` on the servers before the next
 * begins, so a kill at any point resumes from the stored step. See
 * docs/resharding.md for the guarantees each step keeps.
 */
export async function reshard(plan: Plan, clients: ReadonlyMap<string, Client>, options: ReshardOptions): Promise<ReshardResult> {
  const source = clients.get(plan.source.name)!;
  const target = clients.get(plan.target.name)!;
  const { progress } = options;
  const tables = new Map(plan.tables.map((t) => [t.name, t]));
  const shards = plan.shards;
  const label = `shards ${formatShardList(shards)} ${plan.source.name} → ${plan.target.name}`;

  // The tool's own copy, catch-up and cleanup must neither be logged nor refused by the guard trigger
  // (migration 0002: a custom setting any role may set, since RDS has no superuser).
  for (const client of [source, target]) await client.query(`SET graminsta.shard_guard = 'off'`);
  // One run per source at a time, also across processes; a killed process's lock dies with its connection.
  const { rows: locked } = await source.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('graminsta-reshard'), 0) AS ok`);
  if (!locked[0].ok) throw new CliError(`another reshard process is working on ${plan.source.name} right now`);

  let run: Run;
  if (plan.resume) {
    run = plan.resume;
    progress.log(`reshard: resuming run ${run.runId} (${label}) at step ${run.step}`);
  } else {
    const runId = `${plan.source.name}-to-${plan.target.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    // 'incoming' where the target has no row (or a leftover 'incoming' of a killed start): a stale 'moved' row
    // there is kept, because it still routes the API past the target until the flip.
    await target.query(
      `INSERT INTO shard_moves (shard, state, peer, run_id) SELECT s, 'incoming', $2, $3 FROM unnest($1::smallint[]) AS s
       ON CONFLICT (shard) DO UPDATE SET run_id = EXCLUDED.run_id, updated_at = now() WHERE shard_moves.state = 'incoming'`,
      [shards, plan.source.name, runId],
    );
    await failpoint('marked-incoming');
    await inTransaction(source, async () => {
      await insertRun(source, { runId, shards, source: plan.source.name, target: plan.target.name });
      await setMoves(source, shards, 'copying', plan.target.name, runId);
    });
    run = await getRun(source, runId);
    progress.log(`reshard: run ${runId}: ${label}`);
    await failpoint('marked-copying');
  }
  const runId = run.runId;
  let rowsCopied = 0;
  let changesApplied = 0;
  let rowsDeleted = 0;
  let attempts = 0;

  /** Keys rewritten by catch-up passes, per table: what the check inside the pause must re-compare. */
  type TouchedKeys = Map<string, Set<string>>;

  const catchUp = async (until: number, touched?: TouchedKeys, deadline?: number): Promise<void> => {
    for (;;) {
      if (deadline !== undefined && Date.now() > deadline) throw new PauseOverrun();
      const pass = await catchUpPass(source, target, tables, shards, options.batchRows);
      changesApplied += pass.applied;
      if (pass.applied > 0) await recordChanges(source, runId, pass.applied);
      for (const [table, keys] of pass.keys) {
        const set = touched?.get(table) ?? new Set<string>();
        for (const key of keys) set.add(key);
        touched?.set(table, set);
      }
      const pending = pass.applied === 0 ? 0 : await pendingChanges(source, shards);
      if (pass.applied > 0) progress.log(`reshard: catch-up applied ${pass.applied} change(s), lag ${pending}`);
      if (pending <= until) return;
    }
  };

  /**
   * Compares source and target: whole shards (`wholeShards`), and with
   * `keys` also just those rows of every moving shard. Inside the pause each
   * query runs with the time left as its statement_timeout.
   */
  const verify = async (wholeShards: readonly number[], deadline?: number, keys?: TouchedKeys): Promise<ShardCheck[]> => {
    const differ: ShardCheck[] = [];
    for (const table of tables.values()) {
      const rowKeys = keys?.get(table.name);
      const checks: (() => Promise<ShardCheck[]>)[] = [() => compareTable(source, target, table, wholeShards)];
      if (rowKeys && rowKeys.size > 0) checks.push(() => compareTable(source, target, table, shards, jsonArray([...rowKeys])));
      for (const check of checks) {
        if (deadline !== undefined) {
          const left = deadline - Date.now();
          if (left <= 0) throw new PauseOverrun();
          await Promise.all([source, target].map((c) => c.query(`SET statement_timeout = ${Math.max(1, Math.ceil(left))}`)));
        }
        try {
          differ.push(...(await check()));
        } catch (error) {
          if ((error as { code?: string }).code === '57014') throw new PauseOverrun();
          throw error;
        } finally {
          if (deadline !== undefined) await Promise.all([source, target].map((c) => c.query(`SET statement_timeout = 0`)));
        }
      }
    }
    return differ;
  };

  const unfreeze = async (why: string): Promise<void> => {
    await inTransaction(source, async () => {
      await setMoves(source, shards, 'copying', plan.target.name, runId);
      await setStep(source, runId, 'catching-up', { frozenAt: null });
    });
    progress.log(`reshard: ${why}; writes to the shards resume`);
  };

  for (;;) {
    run = await getRun(source, runId);
    switch (run.step) {
      case 'copying': {
        // Also on resume: the previous process may have died between marking 'copying' and this wait.
        await waitForOlderTransactions(source, progress, 'mark copying');
        for (const table of tables.values()) {
          const position = run.copyPosition[table.name];
          if (position === 'done') continue;
          const total = plan.rows.get(table.name) ?? 0;
          progress.start(`copy ${table.name}`, total);
          rowsCopied += await copyTableRows(source, target, table, shards, position, options.batchRows, async (batch) => {
            // Killed here, the batch is on the target but its position is not saved: the resumed run copies it again.
            await failpoint('copy-batch');
            await recordCopy(source, runId, table.name, batch.position, batch.rows);
            progress.increment(batch.rows);
          });
          await recordCopy(source, runId, table.name, 'done', 0);
          progress.stop();
        }
        await setStep(source, runId, 'catching-up');
        break;
      }
      case 'catching-up': {
        attempts++;
        await catchUp(FREEZE_WHEN_PENDING);
        // A full verify before the freeze (every row of every moving shard), so the check inside the pause
        // re-compares only the shards that differed then and the rows that catch-up rewrote since:
        // every other row was equal and nothing has written it since (writes are logged, catch-up is the
        // only writer on the target), so the pause grows with the changes, not with the shards' size.
        const touched: TouchedKeys = new Map();
        const differedBefore = [...new Set((await verify(shards)).map((check) => check.shard))].sort((a, b) => a - b);
        await catchUp(FREEZE_WHEN_PENDING, touched);

        await inTransaction(source, async () => {
          await setMoves(source, shards, 'frozen', plan.target.name, runId);
          await setStep(source, runId, 'frozen', { frozenAt: 'now' });
        });
        const frozenAt = Date.now();
        const deadline = frozenAt + options.maxPauseMs;
        progress.log(`reshard: frozen (writes to the moving shards wait), attempt ${attempts}`);
        await failpoint('frozen');
        try {
          // A long transaction that began before the freeze would hold the pause open: it counts against the budget.
          if (!(await waitForOlderTransactions(source, progress, 'freeze', deadline))) throw new PauseOverrun();
          await catchUp(0, touched, deadline);
          const differ = await verify(differedBefore, deadline, touched);
          if (differ.length > 0) {
            await unfreeze('verify found a difference');
            throw new CliError(`verify failed before the flip, nothing flipped: ${differ.slice(0, 3).map(describeDifference).join('; ')}${differ.length > 3 ? ` (and ${differ.length - 3} more)` : ''}`, 1);
          }
          if (Date.now() > deadline) throw new PauseOverrun();
        } catch (error) {
          if (!(error instanceof PauseOverrun)) throw error;
          const took = Date.now() - frozenAt;
          if (attempts >= (options.freezeAttempts ?? 3)) {
            await unfreeze(`final catch-up + verify did not fit in --max-pause-ms ${options.maxPauseMs} (${took} ms)`);
            throw new CliError(
              `gave up after ${attempts} freeze attempt(s): final catch-up + verify needs more than --max-pause-ms ${options.maxPauseMs}; the shards are unfrozen and still on ${plan.source.name}; re-run with a larger --max-pause-ms, fewer shards or at a quieter time`,
              1,
            );
          }
          await unfreeze(`final catch-up + verify did not fit in --max-pause-ms ${options.maxPauseMs} (${took} ms), back to catch-up`);
          break;
        }
        const rechecked = [...touched.values()].reduce((n, keys) => n + keys.size, 0);
        progress.log(`reshard: verified ${tables.size} tables × ${shards.length} shards (inside the pause: ${differedBefore.length} whole shard(s) and ${rechecked} changed row(s) re-checked)`);
        await setStep(source, runId, 'flipping');
        break;
      }
      case 'frozen':
        // Killed during the pause: do not keep writers waiting while we redo the catch-up.
        await unfreeze('the previous process stopped during the write pause');
        break;
      case 'flipping': {
        await inTransaction(target, () => deleteMoves(target, shards, ['incoming', 'moved']));
        await failpoint('flip-target');
        await inTransaction(source, async () => {
          await setMoves(source, shards, 'moved', plan.target.name, runId);
          await source.query(
            `UPDATE reshard_runs SET step = 'settling', flipped_at = clock_timestamp(), pause_ms = round(extract(epoch FROM clock_timestamp() - frozen_at) * 1000), updated_at = now() WHERE run_id = $1`,
            [runId],
          );
        });
        const flipped = await getRun(source, runId);
        progress.log(`reshard: flipped: ${label} now served by ${plan.target.name}; write pause ${flipped.pauseMs} ms`);
        break;
      }
      case 'settling': {
        // API processes re-read the moved rows every SHARD_MOVES_REFRESH_MS; until all have, some may still read the source.
        const { rows } = await source.query<{ left: number }>(
          `SELECT greatest(0, $2::int - extract(epoch FROM clock_timestamp() - flipped_at) * 1000)::int AS left FROM reshard_runs WHERE run_id = $1`,
          [runId, options.settleMs],
        );
        if (rows[0].left > 0) {
          progress.log(`reshard: waiting ${rows[0].left} ms for every API process to see the move`);
          await failpoint('settling');
          await new Promise((resolve) => setTimeout(resolve, rows[0].left));
        }
        await setStep(source, runId, 'cleaning');
        break;
      }
      case 'cleaning': {
        for (const table of tables.values()) {
          progress.start(`clean up ${table.name} on ${plan.source.name}`, plan.rows.get(table.name) ?? 0);
          const window = scanWindow(options.batchRows, shards.length);
          for (let after: readonly string[] | undefined, first = true; first || after; first = false) {
            const result = await deleteWindow(source, table, shards, after, window);
            after = result.next;
            rowsDeleted += result.deleted;
            progress.increment(result.deleted);
            if (result.deleted > 0) await failpoint('cleanup-batch');
          }
          progress.stop();
        }
        await source.query(`DELETE FROM shard_changes WHERE shard = ANY($1::smallint[])`, [shards]);
        await setStep(source, runId, 'done');
        break;
      }
      case 'done': {
        await source.query(`SELECT pg_advisory_unlock(hashtext('graminsta-reshard'), 0)`);
        return {
          runId,
          resumed: plan.resume !== undefined,
          rowsCopied,
          changesApplied,
          rowsDeleted,
          pauseMs: run.pauseMs ?? 0,
          freezeAttempts: attempts,
        };
      }
    }
  }
}

export type { ShardedTable };
