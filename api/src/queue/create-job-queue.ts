import type { AppConfig } from '../config/resolve-config';
import type { DatabaseCluster } from '../db/database-cluster';
import type { JobQueue } from './job-queue';
import { PostgresJobQueue } from './postgres-job-queue';
import { SqsJobQueue } from './sqs-job-queue';

/**
 * The configured work queue, or undefined without one (QUEUE unset and no
 * WORK_QUEUE_URL). The PostgreSQL queue lives on the first primary of the map
 * (`nodes[0]`), which never moves its unsharded tables (docs/sharding.md).
 */
export function createJobQueue(config: AppConfig, db: DatabaseCluster): JobQueue | undefined {
  switch (config.queue) {
    case undefined:
      return undefined;
    case 'postgres':
      return new PostgresJobQueue(db.nodes[0], {
        visibilityTimeoutMs: config.queueVisibilityTimeoutMs,
        maxAttempts: config.queueMaxAttempts,
        pollIntervalMs: config.queuePollMs,
      });
    case 'sqs':
      return new SqsJobQueue({ queueUrl: config.workQueueUrl!, visibilityTimeoutMs: config.queueVisibilityTimeoutMs, region: config.awsRegion });
  }
}
