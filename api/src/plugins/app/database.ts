import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { DatabaseCluster } from '../../db/database-cluster';

declare module 'fastify' {
  interface FastifyInstance {
    db: DatabaseCluster;
  }
}

/** The `pg` pools: every primary and its replicas, routed by logical shard. Closed after in-flight requests drain. */
export default fp(
  async function database(app: FastifyInstance) {
    const db = new DatabaseCluster(app.config.primaries, app.config.databasePoolSize);
    app.decorate('db', db);
    app.addHook('onClose', async () => db.close());
  },
  { name: 'database', dependencies: ['config'] },
);
