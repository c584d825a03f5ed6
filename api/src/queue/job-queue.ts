import type { JobMessage } from '../../../contracts/job-messages';

/** One delivery of a message. The same message may be delivered again (at least once). */
export interface ReceivedJob {
  /** The raw body (parsed by the worker, so a malformed one can still be dead-lettered). */
  readonly body: string;
  /** 1 on the first delivery; counts every receive, including ones whose worker died. */
  readonly attempt: number;
  /** Identifies this delivery: ack and fail act only on the delivery they name. */
  readonly receipt: string;
  /** The queue's message ID, for logs. */
  readonly id: string;
}

/**
 * The work queue: at-least-once delivery with a visibility deadline. A
 * received job is hidden from other workers until `visibilityTimeoutMs`
 * passes; if the worker neither acks nor fails it by then (crash, SIGKILL,
 * a hang), it is delivered again. After `maxAttempts` deliveries it goes to
 * the dead letters instead. Two back ends: PostgresJobQueue (local, tests)
 * and SqsJobQueue (the 1m stack).
 */
export interface JobQueue {
  /** Human-readable back-end name for logs ("postgres", "sqs"). */
  readonly kind: string;
  send(messages: readonly JobMessage[]): Promise<void>;
  /**
   * Up to `max` jobs, waiting up to `waitMs` for the first one (long polling).
   * Returns early, possibly empty, when `signal` aborts.
   */
  receive(max: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedJob[]>;
  /** Done: the message is deleted. */
  ack(job: ReceivedJob): Promise<void>;
  /**
   * Failed: delivered again after `retryDelayMs`, or dead-lettered when this
   * was the last attempt (or `permanent`, where the back end can: PostgreSQL).
   */
  fail(job: ReceivedJob, error: string, retryDelayMs: number, permanent: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Retry delay after a failed attempt: 1 s, 2 s, 4 s, … capped at 60 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
