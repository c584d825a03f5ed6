import type { AppConfig } from '../config/resolve-config';
import { DatabaseCluster, type ClusterLog } from './database-cluster';
import { migrate } from './migrate';

/** What opening the databases reads from the configuration. */
export type DatabaseSettings = Pick<AppConfig, 'primaries' | 'databasePoolSize' | 'shardMovesRefreshMs' | 'shardWriteWaitMs'>;

/**
 * Migrates every primary of the shard map. The API and the worker both do it
 * at start (advisory-locked, so either may start first). Outside the home
 * region (stage 10m) nothing is migrated: the servers there are replicas of
 * home's, which carry the schema home migrated, and refuse writes.
 */
export async function migrateAll(config: Pick<AppConfig, 'primaries' | 'regionName' | 'regionConfig'>): Promise<void> {
  if (config.regionConfig && config.regionConfig.home !== config.regionName) return;
  for (const target of config.primaries) await migrate(target.primary);
}

/**
 * The `pg` pools of every primary and its replicas, routed by logical shard,
 * as the API (plugins/app/database.ts) and the worker open them. Not started:
 * `start()` reads the shard moves recorded in the databases and keeps them fresh.
 */
export function createDatabaseCluster(config: DatabaseSettings, log: ClusterLog): DatabaseCluster {
  return new DatabaseCluster(config.primaries, {
    poolSize: config.databasePoolSize,
    movesRefreshMs: config.shardMovesRefreshMs,
    writeWaitMs: config.shardWriteWaitMs,
    log,
  });
}
