import type { Queryable } from '../db/database-cluster';
import type { JobMessage } from '../../../contracts/job-messages';
import type { JobQueue, ReceivedJob } from './job-queue';

export interface PostgresJobQueueOptions {
  /** How long a received job stays hidden before it is delivered again. */
  readonly visibilityTimeoutMs: number;
  /** Deliveries before a job goes to `jobs_dead`. @default 5 */
  readonly maxAttempts?: number;
  /** Pause between polls of an empty queue while long polling. @default 500 */
  readonly pollIntervalMs?: number;
}

interface JobRow {
  id: string;
  body: unknown;
  attempts: number;
  receipt: string;
}

/** Error texts are stored for whoever reads jobs_dead; a runaway message must not bloat the row. */
const MAX_ERROR_LENGTH = 2000;

/**
 * The work queue in PostgreSQL (table `jobs`, migration 0003) on the first
 * primary of the shard map: local runs, tests, and any stage without SQS.
 * Workers claim with `FOR UPDATE SKIP LOCKED`, so concurrent workers never
 * block on or double-claim a job; a claim sets a visibility deadline and a
 * fresh receipt and counts the attempt. A job whose deadline passed (its
 * worker died) is claimable again; once it has used `maxAttempts` it is moved
 * to `jobs_dead` instead of being delivered (as SQS's redrive policy does).
 */
export class PostgresJobQueue implements JobQueue {
  readonly kind = 'postgres';
  private readonly maxAttempts: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly db: Queryable,
    private readonly options: PostgresJobQueueOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  async send(messages: readonly JobMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.query(`INSERT INTO jobs (type, body) SELECT m ->> 'type', m FROM jsonb_array_elements($1::jsonb) AS m`, [JSON.stringify(messages)]);
  }

  async receive(max: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedJob[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      await this.buryExhausted();
      const jobs = await this.claim(max);
      if (jobs.length > 0 || signal?.aborted || Date.now() >= deadline) return jobs;
      await sleep(Math.min(this.pollIntervalMs, deadline - Date.now()), signal);
    }
  }

  async ack(job: ReceivedJob): Promise<void> {
    // A stale receipt (the job was redelivered after its deadline) deletes nothing: the newer delivery owns it.
    await this.db.query('DELETE FROM jobs WHERE id = $1 AND receipt = $2', [job.id, job.receipt]);
  }

  async fail(job: ReceivedJob, error: string, retryDelayMs: number, permanent: boolean): Promise<void> {
    const reason = error.slice(0, MAX_ERROR_LENGTH);
    const buried = await this.db.query(
      `WITH gone AS (
         DELETE FROM jobs WHERE id = $1 AND receipt = $2 AND (attempts >= $3 OR $4::boolean)
         RETURNING id, type, body, attempts, created_at
       )
       INSERT INTO jobs_dead (id, type, body, attempts, last_error, created_at)
       SELECT id, type, body, attempts, $5, created_at FROM gone`,
      [job.id, job.receipt, this.maxAttempts, permanent, reason],
    );
    if ((buried.rowCount ?? 0) > 0) return;
    await this.db.query(
      `UPDATE jobs SET visible_at = now() + $3 * interval '1 millisecond', receipt = NULL, last_error = $4 WHERE id = $1 AND receipt = $2`,
      [job.id, job.receipt, retryDelayMs, reason],
    );
  }

  async close(): Promise<void> {
    // The pool belongs to the database cluster, which closes it.
  }

  /** Jobs whose worker died on their last attempt: dead-lettered, not delivered again. */
  private async buryExhausted(): Promise<void> {
    await this.db.query(
      `WITH gone AS (
         DELETE FROM jobs WHERE id IN (
           SELECT id FROM jobs WHERE visible_at <= now() AND attempts >= $1 ORDER BY visible_at LIMIT 100 FOR UPDATE SKIP LOCKED)
         RETURNING id, type, body, attempts, last_error, created_at
       )
       INSERT INTO jobs_dead (id, type, body, attempts, last_error, created_at)
       SELECT id, type, body, attempts, coalesce(last_error || '; ', '') || 'visibility deadline passed on the last attempt', created_at FROM gone`,
      [this.maxAttempts],
    );
  }

  private async claim(max: number): Promise<ReceivedJob[]> {
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET attempts = attempts + 1, receipt = gen_random_uuid(), visible_at = now() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM jobs WHERE visible_at <= now() AND attempts < $3 ORDER BY visible_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, body, attempts, receipt::text AS receipt`,
      [max, this.options.visibilityTimeoutMs, this.maxAttempts],
    );
    return rows.map((row) => ({ id: row.id, body: JSON.stringify(row.body), attempt: row.attempts, receipt: row.receipt }));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
