import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config/resolve-config';

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
  }
}

/** The validated, resolved configuration, shared with every plugin and route. */
export default fp(
  async function config(app: FastifyInstance, options: { config: AppConfig }) {
    app.decorate('config', options.config);
  },
  { name: 'config' },
);
