/**
 * How long a received job stays hidden from other workers (the queue's
 * visibility timeout) against how long a worker lets one job run (its job
 * timeout). Two parties hold one side each: the stacks give the SQS queue its
 * visibility timeout and pass both to the worker (lib/constructs/queue,
 * QUEUE_VISIBILITY_TIMEOUT_MS and WORKER_JOB_TIMEOUT_MS), and the worker
 * refuses to start when they do not fit (api/src, the queue configuration).
 * docs/queue.md. Imports nothing.
 */

/**
 * The least the worker accepts: visibility ≥ this × job timeout. The timeout
 * must outlast a job that runs to its timeout and the time to report the
 * outcome, or a slow job is delivered to a second worker while the first
 * still runs.
 */
export const MIN_VISIBILITY_FACTOR = 2;

/**
 * What the stacks provision: visibility = job timeout × this. A worker
 * receives a batch and the clock of every message in it starts at once, so a
 * message may wait behind others before its own run; the rest covers the
 * acknowledgement and a slow SQS call. 6 is the margin AWS advises for queue
 * consumers (Lambda's rule). At least MIN_VISIBILITY_FACTOR, or the worker
 * would refuse the configuration its own stack wrote.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

