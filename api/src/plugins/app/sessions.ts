import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseRateLimiter, RedisRateLimiter } from '../../rate-limit/rate-limiter';
import { RateLimits } from '../../rate-limit/rate-limits';
import { ReadYourWrites } from '../../sessions/read-your-writes';
import { DatabaseSessionStore } from '../../sessions/database-session-store';
import { RedisSessionStore } from '../../sessions/redis-session-store';
import { RedisSessionStoreWithFallback } from '../../sessions/redis-session-store-with-fallback';
import { NearSessionStore } from '../../sessions/near-session-store';
import type { Session, SessionStore } from '../../sessions/session-store';
import { isWellFormedToken } from '../../sessions/tokens';
import { unauthorized, unavailable } from '../../lib/http-error';

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore;
    rateLimits: RateLimits;
    /** onRequest hook for authenticated route scopes: 401 without a valid token. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** onRequest hook for public reads: resolves a token when one is sent, never fails on it. */
    identify(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Whether this request's reads must go to the primary (its user wrote recently). */
    readsFromPrimary(request: FastifyRequest): boolean;
    /** Read-your-own-writes across instances: the services record writes through it. */
    readYourWrites: ReadYourWrites;
  }
  interface FastifyRequest {
    session: Session | null;
    token: string | null;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  return match ? match[1] : '';
}

function sessionStoreFor(app: FastifyInstance): SessionStore {
  const database = new DatabaseSessionStore(app.db);
  if (!app.redis) return database;
  const shared = redisSessionStore(app, new RedisSessionStore(app.redis), database);
  // The near tier needs Redis's invalidation messages: with Redis only.
  if (!app.redisSubscriber || app.config.sessionNearTtlMs === 0) return shared;
  return new NearSessionStore(shared, app.redisSubscriber, app.config.sessionNearTtlMs, app.log);
}

function redisSessionStore(app: FastifyInstance, redis: RedisSessionStore, database: DatabaseSessionStore): SessionStore {
  if (!app.config.sessionsDatabaseFallback) return redis;
  // Stage 10m, outside home: a copy of a session made at home lives only briefly here, so a log-out at
  // home (which deletes the replicated row) ends it here too within REGION_CACHE_TTL_SECONDS and the lag.
  const region = app.region;
  const copySeconds = (secondsLeft: number) => (region && !region.isHome ? Math.min(secondsLeft, app.config.regionCacheTtlSeconds) : secondsLeft);
  return new RedisSessionStoreWithFallback(redis, database, copySeconds);
}

/**
 * Server-side sessions and shared rate limits: in Redis when configured,
 * otherwise in PostgreSQL (sessions on their user's shard, rate limits on the
 * first primary), so any instance accepts any token.
 */
export default fp(
  async function sessions(app: FastifyInstance) {
    const dbLimiter = new DatabaseRateLimiter(app.db.home);
    app.decorate<SessionStore>('sessions', sessionStoreFor(app));
    app.decorate('rateLimits', new RateLimits(app.redis ? new RedisRateLimiter(app.redis, dbLimiter) : dbLimiter, app.config));
    app.decorateRequest('session', null);
    app.decorateRequest('token', null);

    const lookup = async (token: string): Promise<Session | undefined> => {
      try {
        return await app.sessions.find(token);
      } catch (error) {
        // The session store is down: not the client's fault, and not a 401 that would log them out.
        throw unavailable('sessions are', error);
      }
    };

    app.decorate('authenticate', async function authenticate(request: FastifyRequest) {
      const token = bearer(request);
      if (!token || !isWellFormedToken(token)) throw unauthorized();
      const session = await lookup(token);
      if (!session) throw unauthorized();
      request.session = session;
      request.token = token;
    });

    app.decorate('identify', async function identify(request: FastifyRequest) {
      const token = bearer(request);
      if (!token || !isWellFormedToken(token)) return;
      const session = await app.sessions.find(token).catch(() => undefined);
      if (session) {
        request.session = session;
        request.token = token;
      }
    });

    const readYourWrites = new ReadYourWrites(app.sessions, app.db, app.config.readYourWritesMs);
    app.decorate('readYourWrites', readYourWrites);
    app.decorate('readsFromPrimary', (request: FastifyRequest) => readYourWrites.readsFromPrimary(request.session) || request.readsOwnRemoteWrite);
  },
  { name: 'sessions', dependencies: ['database', 'cache', 'regions'] },
);
