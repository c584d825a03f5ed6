import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { AppConfig } from './config/resolve-config';
import { migrateAll } from './db/open-database';
import { refuseUntilStageOneCopied } from './stage-one/refuse-until-copied';

/**
 * Migrates every primary, builds the app and listens: the part of booting
 * shared by `server.ts` (production) and `dev.ts` (embedded PostgreSQL);
 * shutdown on signals is `closeOnSignals` (lifecycle.ts), shared with the worker.
 * First waits, refusing requests, while this instance's stage-1 database was
 * never copied into the primary (see refuseUntilStageOneCopied).
 */
export async function startListening(config: AppConfig): Promise<FastifyInstance> {
  await refuseUntilStageOneCopied(config);
  await migrateAll(config);
  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  return app;
}
