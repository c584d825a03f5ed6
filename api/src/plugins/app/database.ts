import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { DatabaseCluster } from '../../db/database-cluster';
import { createDatabaseCluster } from '../../db/open-database';

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
    const db = createDatabaseCluster(app.config, app.log);
    app.decorate('db', db);
    app.addHook('onClose', async () => db.close());
    await db.start();
  },
  { name: 'database', dependencies: ['config'] },
);
