import { MIN_VISIBILITY_FACTOR } from '../../../contracts/work-queue';
import { ConfigError, type Env, integer, text } from '../../../contracts/env-readers';

export type QueueKind = 'postgres' | 'sqs';

/** The work queue and worker settings (docs/queue.md), part of the API's EnvConfig. */
export interface QueueConfig {
  /**
   * Where jobs go; undefined: no queue (stages before 1m: feeds are pulled at read time).
   * @default 'sqs' when WORK_QUEUE_URL is set, else none
   */
  readonly queue?: QueueKind;
  /** Authors with more followers than this are not fanned out; their photos are read at request time. @default 10000 */
  readonly feedCelebrityFollowers: number;
  /**
   * How long the API keeps the set of celebrity IDs before reading it again
   * (CelebritySet; 0: on every feed read). Bounds how late a new celebrity's
   * photos reach feeds. @default 30000
   */
  readonly feedCelebrityRefreshMs: number;
  /** How long a received job stays hidden from other workers. @default 120000 (the 1m queue's 120 s) */
  readonly queueVisibilityTimeoutMs: number;
  /** Deliveries before a job is dead-lettered (PostgreSQL queue; SQS uses its redrive policy). @default 5 */
  readonly queueMaxAttempts: number;
  /** Pause between polls of an empty PostgreSQL queue. @default 500 */
  readonly queuePollMs: number;
  /** Jobs one worker process runs at once. @default 4 */
  readonly workerConcurrency: number;
  /** A job running longer fails (and is retried). At most half the visibility timeout. @default 30000 */
  readonly workerJobTimeoutMs: number;
}

/** Reads QUEUE, FEED_CELEBRITY_*, QUEUE_* and WORKER_*; throws ConfigError naming the first bad one. */
export function loadQueueConfig(env: Env): QueueConfig {
  const raw = text(env, 'QUEUE');
  if (raw !== undefined && raw !== 'postgres' && raw !== 'sqs') throw new ConfigError('QUEUE', `must be one of postgres, sqs, got "${raw}"`);
  const queue: QueueKind | undefined = raw ?? (text(env, 'WORK_QUEUE_URL') ? 'sqs' : undefined);
  if (queue === 'sqs' && !text(env, 'WORK_QUEUE_URL')) throw new ConfigError('WORK_QUEUE_URL', 'is not set (QUEUE=sqs needs the queue URL)');
  const queueVisibilityTimeoutMs = integer(env, 'QUEUE_VISIBILITY_TIMEOUT_MS', 120_000, 1000, 43_200_000);
  const workerJobTimeoutMs = integer(env, 'WORKER_JOB_TIMEOUT_MS', 30_000, 100, 43_200_000);
  if (queueVisibilityTimeoutMs < MIN_VISIBILITY_FACTOR * workerJobTimeoutMs) {
    throw new ConfigError(
      'QUEUE_VISIBILITY_TIMEOUT_MS',
      `must be at least ${MIN_VISIBILITY_FACTOR} × WORKER_JOB_TIMEOUT_MS (${MIN_VISIBILITY_FACTOR * workerJobTimeoutMs}), got ${queueVisibilityTimeoutMs}`,
    );
  }
  return {
    queue,
    feedCelebrityFollowers: integer(env, 'FEED_CELEBRITY_FOLLOWERS', 10_000, 0, 1_000_000_000),
    feedCelebrityRefreshMs: integer(env, 'FEED_CELEBRITY_REFRESH_MS', 30_000, 0, 3_600_000),
    queueVisibilityTimeoutMs,
    queueMaxAttempts: integer(env, 'QUEUE_MAX_ATTEMPTS', 5, 1, 1000),
    queuePollMs: integer(env, 'QUEUE_POLL_MS', 500, 10, 60_000),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    workerJobTimeoutMs,
  };
}
