import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from './config/env-config';

/** What closeOnSignals stops: the API (a Fastify instance) or the worker. */
export interface Closable {
  readonly log: Pick<FastifyBaseLogger, 'info' | 'error'>;
  /** Stops taking work, lets what is in flight finish, then closes the pools and Redis. */
  close(): Promise<unknown>;
}

/** Signals closer together than this are one request to stop (see closeOnSignals). */
const REPEATED_SIGNAL_MS = 1_000;

/**
 * Graceful shutdown on SIGTERM/SIGINT, for the API and the worker alike:
 * close (the API: new requests get 503 with `Connection: close`, in-flight
 * ones finish, then the pools and Redis close in onClose hooks; the worker:
 * no new jobs, in-flight ones finish, then the queue and the pools), then
 * `onClosed`, then exit 0. A second signal a second or more later exits at once.
 */
export function closeOnSignals(target: Closable, onClosed: () => Promise<void> | void = () => undefined): void {
  let closingSince: number | undefined;
  const shutdown = (signal: string) => {
    // A second Ctrl-C forces the exit. One that comes right after the first is
    // the same Ctrl-C delivered twice: a terminal signals the whole process
    // group and tsx (npm run dev) relays it to its child as well, which used to
    // exit at once, leaving PostgreSQL and the data directory's claim behind.
    if (closingSince !== undefined) {
      if (Date.now() - closingSince >= REPEATED_SIGNAL_MS) process.exit(1);
      return;
    }
    closingSince = Date.now();
    target.log.info(`${signal}: draining`);
    target
      .close()
      .then(() => onClosed())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          target.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * The end of a process that could not start (the API's and the worker's
 * entries): a configuration error is one line naming the variable and exit
 * status 2; anything else, exit status 1.
 */
export function exitOnStartFailure(what: string, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${what} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
