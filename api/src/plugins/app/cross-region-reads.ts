import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectWrites } from '../../db/write-tracking';
import { FORWARDED_FROM_HEADER } from '../../regions/home-forwarder';
import { ReplayPositions } from '../../regions/replay-positions';
import { formatWalCookie, mergeWalPositions, parseLsn, readWalCookie, WAL_COOKIE, WAL_COOKIE_SECONDS } from '../../regions/wal-positions';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Stage 10m, outside home: this request's client wrote at home recently,
     * so it is served from the servers (never from this region's cache,
     * which home's invalidations do not reach).
     */
    readsOwnRemoteWrite: boolean;
    /** Stage 10m, at home: the primaries this write request wrote to (their WAL positions go back in the cookie). */
    primariesWritten: Set<string> | null;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const READ_METHODS = new Set(['GET', 'HEAD']);
const isApi = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Read-your-own-writes across regions (docs/region-routing.md).
 *
 * At home, a write request's response carries, in the `graminsta_wal` cookie,
 * each primary it wrote to and that primary's WAL position after the commit
 * (`pg_current_wal_lsn()`, one query per primary written, in parallel), merged
 * with what the cookie already held. Forwarded writes get it through the
 * forwarding region, which passes home's headers on.
 *
 * Outside home, a read (GET/HEAD under /api) carrying a cookie of the current
 * epoch waits until this region's servers have replayed those positions
 * (`pg_last_wal_replay_lsn()`), for up to REGION_READ_WAIT_MS, then is served
 * here, bypassing this region's cache; still behind at the deadline, it is
 * forwarded home (or, home unreachable, served here anyway: a possibly stale
 * read beats none). The in-region mechanism (READ_YOUR_WRITES_MS: a session
 * that wrote reads from the primaries) stays as it is at home; here the
 * "primaries" are this region's servers, so the cookie is what tells a read
 * that they may not have the write yet.
 */
export default fp(
  async function crossRegionReads(app: FastifyInstance) {
    app.decorateRequest('readsOwnRemoteWrite', false);
    app.decorateRequest('primariesWritten', null);
    const region = app.region;
    if (!region) return;
    let replay = { epoch: region.epoch, positions: new ReplayPositions(app.db) };

    // Home: collect the primaries each write request writes to. In preHandler, after the body is
    // parsed: the handler then runs inside the collection (body parsing runs in the socket's own context).
    app.addHook('preHandler', (request, _reply, done) => {
      if (!region.isHome || !WRITE_METHODS.has(request.method)) return done();
      request.primariesWritten = new Set();
      collectWrites(request.primariesWritten, done);
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const written = request.primariesWritten;
      if (!written || written.size === 0) return payload;
      const positions = new Map<string, bigint>();
      await Promise.all(
        [...written].map(async (name) => {
          try {
            const { rows } = await app.db.named(name)!.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
            const lsn = parseLsn(rows[0].lsn);
            if (lsn !== undefined) positions.set(name, lsn);
          } catch (error) {
            // The write is committed; without its position another region may serve this client an older read.
            request.log.warn({ err: error, primary: name }, 'could not read the WAL position of a write');
          }
        }),
      );
      if (positions.size === 0) return payload;
      const wal = mergeWalPositions(readWalCookie(request.headers.cookie), { epoch: region.epoch, positions });
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${WAL_COOKIE}=${formatWalCookie(wal)}; Path=/api; Max-Age=${WAL_COOKIE_SECONDS}; HttpOnly; SameSite=Lax${secure}`);
      return payload;
    });

    // Outside home: a read by a client who wrote at home waits for this region's replicas, or goes home.
    app.addHook('onRequest', async (request: FastifyRequest, reply) => {
      if (region.isHome || !READ_METHODS.has(request.method) || !isApi(request.url)) return;
      const wal = readWalCookie(request.headers.cookie);
      if (!wal || wal.epoch !== region.epoch) return;
      request.readsOwnRemoteWrite = true;
      // Replay positions read in an earlier epoch may belong to servers since rebuilt.
      if (replay.epoch !== region.epoch) replay = { epoch: region.epoch, positions: new ReplayPositions(app.db) };
      if (await replay.positions.reached(wal.positions, Date.now() + app.config.regionReadWaitMs)) return;
      // Forwarded once at most: a region that gets it forwarded serves it, however far behind.
      if (request.headers[FORWARDED_FROM_HEADER] !== undefined || !app.forwardHome) return;
      try {
        return await app.forwardHome(request, reply);
      } catch (error) {
        request.log.warn({ err: error }, 'replicas behind this client’s write and home unreachable: serving the read here');
      }
    });
  },
  { name: 'cross-region-reads', dependencies: ['config', 'regions', 'database', 'write-forwarding'] },
);
