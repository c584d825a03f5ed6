import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { uploadClaimStaleMs } from '../../lib/upload-claims';

/** Abandoned photos removed per server per sweep (the rest wait for the next one). */
const BATCH = 100;
/** The longest pause between sweeps. */
const MAX_INTERVAL_MS = 5 * 60_000;

/**
 * What uploads leave behind when they never finish, removed on every
 * instance at start and then periodically:
 * - part files of uploads whose process was killed (local storage), once
 *   older than any live request can be;
 * - photos whose bytes never came within PENDING_PHOTO_TTL_MS (the client
 *   gave up, or was killed mid-upload and never retried): the row, its
 *   likes, its owner's `photo_count` and any bytes stored under its key. In
 *   presigned mode a photo whose object did arrive is marked ready instead.
 * Every step re-checks under the row lock, so instances sweeping at once
 * delete each photo once.
 */
export default fp(
  async function uploadSweeper(app: FastifyInstance) {
    const ttlMs = app.config.pendingPhotoTtlMs;
    const claimStaleMs = uploadClaimStaleMs(app.config);
    // Often enough that neither a part file nor an abandoned photo outlives its bound by much.
    const intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(1_000, Math.floor(Math.min(ttlMs, claimStaleMs) / 2)));
    let running: Promise<void> | undefined;

    const sweepNode = async (node: (typeof app.db.nodes)[number]) => {
      for (const photo of await app.photos.abandonedPending(node, ttlMs, claimStaleMs, BATCH)) {
        await app.photoService.sweepAbandoned(photo, ttlMs, claimStaleMs, app.log);
      }
    };

    const sweep = async () => {
      const parts = await app.storage.sweepIncomplete?.(claimStaleMs);
      if (parts) app.log.info({ removed: parts }, 'part files of unfinished uploads removed');
      // Outside the home region (stage 10m) the servers are replicas: home's instances sweep its photos.
      if (app.region && !app.region.isHome) return;
      // One server's outage must not stop the others' sweep.
      await Promise.all(app.db.nodes.map((node) => sweepNode(node).catch((error: unknown) => app.log.warn({ err: error, primary: node.name }, 'abandoned photo sweep failed'))));
    };
    const start = () => {
      running ??= sweep()
        .catch((error: unknown) => app.log.warn({ err: error }, 'upload sweep failed'))
        .finally(() => (running = undefined));
    };

    const timer = setInterval(start, intervalMs);
    timer.unref();
    app.addHook('onReady', async () => start());
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'upload-sweeper', dependencies: ['database', 'storage', 'repositories', 'services', 'regions'] },
);
