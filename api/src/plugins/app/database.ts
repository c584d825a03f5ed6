import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { DatabaseCluster } from '../../db/database-cluster';

declare module 'fastify' {
  interface FastifyInstance {
    db: DatabaseCluster;
  }
}

/**
 * The `pg` pools: every primary and its replicas, routed by logical shard
 * (the shard map, then the moves recorded in the databases, read before the
 * first request and kept fresh). Closed after in-flight requests drain.
 */
export default fp(
  async function database(app: FastifyInstance) {
    const { primaries, databasePoolSize, shardMovesRefreshMs, shardWriteWaitMs } = app.config;
    const db = new DatabaseCluster(primaries, {
      poolSize: databasePoolSize,
      movesRefreshMs: shardMovesRefreshMs,
      writeWaitMs: shardWriteWaitMs,
      log: app.log,
    });
    app.decorate('db', db);
    app.addHook('onClose', async () => db.close());
    await db.start();
  },
  { name: 'database', dependencies: ['config'] },
);
