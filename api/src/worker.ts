import pino from 'pino';
import { ConfigError, loadEnvConfig } from './config/env-config';
import { resolveConfig } from './config/resolve-config';
import { createDatabaseCluster, migrateAll } from './db/open-database';
import { FeedWriter } from './feed/feed-writer';
import { enqueueFeedSeeding } from './feed/seed-feeds';
import { createJobQueue } from './queue/create-job-queue';
import { feedJobHandler } from './feed/feed-jobs';
import { JobWorker } from './queue/job-worker';
import { closeOnSignals, exitOnStartFailure } from './lifecycle';
import { CliError, formatCliError, parseCliArgs } from '../../contracts/cli';
import { RegionState } from './regions/region-state';

/**
 * The queue worker (bundled by build/api-bundle.ts as dist/api/worker.js; at 1m a
 * second systemd service on every fleet instance). Same configuration and
 * shard map as the API, validated the same way (exit 2 and one line naming
 * the variable); QUEUE (or WORK_QUEUE_URL) must name a queue. Migrates like
 * the API (advisory-locked, so either may start first), then polls until
 * SIGTERM/SIGINT, which drains: no new jobs, in-flight ones finish.
 *
 * `worker.js --seed-feeds` instead enqueues one `feed.backfill` per follow
 * edge (switching the queue on at 1m: feeds start from existing photos),
 * prints progress, and exits.
 */
const USAGE = `usage: npm run worker [-- --seed-feeds]      (on an instance: node worker.js [--seed-feeds])
The queue worker: takes feed fan-out and photo-ready jobs from the queue QUEUE (postgres or sqs) or
WORK_QUEUE_URL names, with the API's configuration (docs/configuration.md), until SIGTERM/SIGINT (drains).
  --seed-feeds   instead enqueue one feed.backfill job per follow edge (switching the queue on), then exit
exit codes: 0 stopped (or seeded), 1 failed, 2 bad arguments or configuration`;

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), { 'seed-feeds': { type: 'boolean', default: false } }, USAGE);
  if (!args) return;
  const config = await resolveConfig(loadEnvConfig());
  if (!config.queue) throw new ConfigError('QUEUE', 'is not set (postgres or sqs): the worker needs a queue');
  const log = pino({ level: config.logLevel, base: { service: 'graminsta-worker' } });
  await migrateAll(config);
  const db = createDatabaseCluster(config, log);
  // Follows tools/reshard's moves like the API; a job that hits a moving shard fails and is retried.
  await db.start();
  const queue = createJobQueue(config, db)!;
  if (args['seed-feeds']) {
    const sent = await enqueueFeedSeeding(db, queue, (count, server) => process.stdout.write(`seed-feeds: ${count} feed.backfill jobs queued (reading ${server})\n`));
    process.stdout.write(`seed-feeds: done, ${sent} jobs queued on the ${queue.kind} queue\n`);
    await Promise.all([queue.close(), db.close()]);
    return;
  }
  const feed = new FeedWriter(db, { celebrityFollowers: config.feedCelebrityFollowers });
  // Stage 10m: outside the home region the jobs wait in this region's queue until it is home (docs/region-routing.md).
  const region =
    config.regionName && config.regionConfig
      ? new RegionState({ name: config.regionName, initial: config.regionConfig, reread: config.readRegionConfig, refreshMs: config.regionConfigRefreshMs, log })
      : undefined;
  region?.start();
  const worker = new JobWorker(queue, feedJobHandler(feed), log, {
    concurrency: config.workerConcurrency,
    jobTimeoutMs: config.workerJobTimeoutMs,
    takesJobs: region ? () => region.isHome : undefined,
  });
  worker.start();
  log.info({ queue: queue.kind, concurrency: config.workerConcurrency, jobTimeoutMs: config.workerJobTimeoutMs, visibilityTimeoutMs: config.queueVisibilityTimeoutMs }, 'worker started');

  closeOnSignals({
    log,
    close: async () => {
      await worker.stop();
      await region?.stop();
      await Promise.all([queue.close(), db.close()]);
      log.info(worker.stats, 'worker stopped');
    },
  });
}

main().catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(formatCliError('worker', error));
    process.exit(error.exitCode);
  }
  exitOnStartFailure('graminsta worker', error);
});
