import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rateLimited } from './http-error';

/** One fixed-window limit: at most `limit` hits on `key` per `windowSeconds`. */
interface Limit {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * Counts one hit on every limit, in the shared store (Redis or PostgreSQL) so
 * that every instance sees every hit, and refuses with 429 when any is over.
 * `Retry-After` is when the last exceeded window ends, so waiting that long
 * is enough (and no longer than needed).
 */
async function enforce(app: FastifyInstance, what: string, limits: readonly Limit[]): Promise<void> {
  const hits = await Promise.all(limits.map((limit) => app.rateLimiter.hit(limit.key, limit.windowSeconds)));
  const over = hits.filter((hit, index) => hit.count > limits[index].limit);
  if (over.length === 0) return;
  const retryAfter = Math.max(...over.map((hit) => hit.resetSeconds));
  throw rateLimited(`too many ${what}, retry in ${retryAfter} s`, retryAfter);
}

const AUTH_WINDOW_SECONDS = 60;
const PHOTO_WINDOW_SECONDS = 3600;

/**
 * Sign-up and log-in limits, per minute: per client IP; per username from one
 * IP (guessing one account's password); and a much higher ceiling per
 * username from all IPs together. A stranger's wrong guesses count against
 * their own address, so they cannot lock the owner out; only a guesser with
 * very many addresses reaches the username ceiling.
 * Behind proxies the client IP is the one the outermost proxy saw
 * (TRUST_PROXY = the number of proxies; see docs/configuration.md).
 */
export async function enforceAuthRateLimit(app: FastifyInstance, request: FastifyRequest, action: 'signup' | 'login', username: string): Promise<void> {
  const { authRateLimitPerIp, authRateLimitPerUsernameAndIp, authRateLimitPerUsername } = app.config;
  await enforce(app, `${action} attempts`, [
    { key: `${action}:ip:${request.ip}`, limit: authRateLimitPerIp, windowSeconds: AUTH_WINDOW_SECONDS },
    { key: `${action}:user-ip:${username}:${request.ip}`, limit: authRateLimitPerUsernameAndIp, windowSeconds: AUTH_WINDOW_SECONDS },
    { key: `${action}:user:${username}`, limit: authRateLimitPerUsername, windowSeconds: AUTH_WINDOW_SECONDS },
  ]);
}

/** Photos one user may create per hour (each can carry up to 10 MiB). */
export async function enforcePhotoCreateLimit(app: FastifyInstance, userId: string): Promise<void> {
  await enforce(app, 'photos created', [{ key: `photo-create:${userId}`, limit: app.config.photoCreateLimitPerUser, windowSeconds: PHOTO_WINDOW_SECONDS }]);
}

/** Upload attempts one user may make per hour (failed ones count: each may have sent up to 10 MiB). */
export async function enforceUploadLimit(app: FastifyInstance, userId: string): Promise<void> {
  await enforce(app, 'uploads', [{ key: `photo-upload:${userId}`, limit: app.config.photoUploadLimitPerUser, windowSeconds: PHOTO_WINDOW_SECONDS }]);
}
