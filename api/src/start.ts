import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { AppConfig } from './config/resolve-config';
import { migrate } from './db/migrate';
import { refuseUntilStageOneCopied } from './stage-one/refuse-until-copied';

/**
 * Migrates every primary, builds the app and listens: the part of booting
 * shared by `server.ts` (production) and `dev.ts` (embedded PostgreSQL).
 * First waits, refusing requests, while this instance's stage-1 database was
 * never copied into the primary (see refuseUntilStageOneCopied).
 */
export async function startListening(config: AppConfig): Promise<FastifyInstance> {
  await refuseUntilStageOneCopied(config);
  for (const target of config.primaries) await migrate(target.primary);
  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  return app;
}

/** Signals closer together than this are one request to stop (see closeOnSignals). */
const REPEATED_SIGNAL_MS = 1_000;

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting (new requests get 503
 * with `Connection: close`), let in-flight requests finish, then close the
 * pools and Redis (onClose hooks), then exit. A second signal a second or more
 * later exits at once.
 */
export function closeOnSignals(app: FastifyInstance, onClosed: () => Promise<void> | void = () => undefined): void {
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
    app.log.info(`${signal}: draining`);
    app
      .close()
      .then(() => onClosed())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
