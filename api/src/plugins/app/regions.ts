import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { RegionState } from '../../regions/region-state';

declare module 'fastify' {
  interface FastifyInstance {
    /** Stage 10m: this API's region and which region is home; undefined before 10m (one region, always home). */
    region: RegionState | undefined;
  }
}

/**
 * The region configuration (docs/region-routing.md): read at start (configuration
 * errors stop the start there), then re-read every REGION_CONFIG_REFRESH_MS
 * for the life of the process.
 */
export default fp(
  async function regions(app: FastifyInstance) {
    const { regionName, regionConfig, readRegionConfig, regionConfigRefreshMs } = app.config;
    if (!regionName || !regionConfig) {
      app.decorate<RegionState | undefined>('region', undefined);
      return;
    }
    const state = new RegionState({ name: regionName, initial: regionConfig, reread: readRegionConfig, refreshMs: regionConfigRefreshMs, log: app.log });
    app.decorate<RegionState | undefined>('region', state);
    state.start();
    app.log.info({ region: regionName, home: regionConfig.home, epoch: regionConfig.epoch }, 'region configuration read');
    app.addHook('onClose', async () => state.stop());
  },
  { name: 'regions', dependencies: ['config'] },
);
