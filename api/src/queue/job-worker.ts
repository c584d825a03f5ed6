import type { Logger } from 'pino';
import { InvalidMessageError, parseJobMessage, type JobMessage } from '../../../contracts/job-messages';
import { retryDelayMs, type JobQueue, type ReceivedJob } from './job-queue';

export interface JobWorkerOptions {
  /** Jobs run at once. */
  readonly concurrency: number;
  /** A job still running after this fails (and is retried); below the queue's visibility timeout. */
  readonly jobTimeoutMs: number;
  /** Long-poll wait per receive. @default 10000 */
  readonly receiveWaitMs?: number;
  /**
   * Asked before each receive: false leaves the jobs in the queue (stage 10m,
   * outside the home region, where the servers are replicas and refuse the
   * jobs' writes); asked again every second. @default always true
   */
  readonly takesJobs?: () => boolean;
}

/** What a job did, for the worker's log line. */
export interface JobOutcome {
  readonly outcome: string;
  readonly rows?: number;
}

/** Runs one job; resolves with what it did (logged), rejects to have it retried. */
export type JobHandler = (message: JobMessage, signal: AbortSignal) => Promise<JobOutcome>;

/** Raised into a handler's signal when it runs past the job timeout. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/** Pause after a failed receive (database or SQS unreachable) before polling again. */
const RECEIVE_ERROR_PAUSE_MS = 1000;
/** Pause before asking `takesJobs` again while it says no. */
const IDLE_PAUSE_MS = 1000;

/**
 * Polls the queue and runs jobs, at most `concurrency` at once. Each job:
 * parse (malformed → dead letters, never retried where the queue allows),
 * run with a timeout, then ack; on failure, fail with a growing retry delay
 * (the queue dead-letters it after its last attempt). `stop()` drains: no
 * new receives, the in-flight jobs finish (each bounded by its timeout).
 */
export class JobWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** Counts for logs and tests. */
  readonly stats = { succeeded: 0, failed: 0, invalid: 0 };

  constructor(
    private readonly queue: JobQueue,
    private readonly handle: JobHandler,
    private readonly log: Logger,
    private readonly options: JobWorkerOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving and waits for the in-flight jobs. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const free = this.options.concurrency - this.inFlight.size;
      if (free === 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (this.options.takesJobs && !this.options.takesJobs()) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_PAUSE_MS));
        continue;
      }
      let jobs: ReceivedJob[];
      try {
        jobs = await this.queue.receive(free, this.options.receiveWaitMs ?? 10_000, signal);
      } catch (error) {
        this.log.error({ err: error }, `receive from the ${this.queue.kind} queue failed; polling again in ${RECEIVE_ERROR_PAUSE_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_ERROR_PAUSE_MS));
        continue;
      }
      for (const job of jobs) {
        const running = this.runOne(job).finally(() => this.inFlight.delete(running));
        this.inFlight.add(running);
      }
    }
  }

  private async runOne(job: ReceivedJob): Promise<void> {
    const started = Date.now();
    let type = 'unknown';
    try {
      const message = parseJobMessage(job.body);
      type = message.type;
      const result = await this.withTimeout((signal) => this.handle(message, signal));
      await this.queue.ack(job);
      this.stats.succeeded++;
      this.log.info({ job: job.id, type, attempt: job.attempt, ms: Date.now() - started, ...result }, 'job done');
    } catch (error) {
      const permanent = error instanceof InvalidMessageError;
      const reason = `${(error as Error).name}: ${(error as Error).message}`;
      const delay = retryDelayMs(job.attempt);
      this.stats.failed++;
      if (permanent) this.stats.invalid++;
      this.log.warn({ job: job.id, type, attempt: job.attempt, ms: Date.now() - started, err: error }, permanent ? 'job invalid; dead-lettered' : `job failed; retry in ${delay} ms unless this was the last attempt`);
      await this.queue.fail(job, reason, delay, permanent).catch((failError: unknown) => {
        // The visibility deadline still brings the job back.
        this.log.error({ job: job.id, err: failError }, 'could not report the failure; the job returns after its visibility timeout');
      });
    }
  }

  private async withTimeout<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new JobTimeoutError(`job ran longer than ${this.options.jobTimeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, this.options.jobTimeoutMs);
    });
    try {
      return await Promise.race([work(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
