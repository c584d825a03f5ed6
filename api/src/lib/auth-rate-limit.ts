import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error';

const WINDOW_SECONDS = 60;

/**
 * Sign-up and log-in limits, per client IP and per username, counted in the
 * shared store (Redis or PostgreSQL) so that every instance sees every hit.
 * Behind proxies the client IP is the one the outermost proxy saw
 * (TRUST_PROXY = the number of proxies; see docs/configuration.md).
 */
export async function enforceAuthRateLimit(app: FastifyInstance, request: FastifyRequest, action: 'signup' | 'login', username: string): Promise<void> {
  const [byIp, byUser] = await Promise.all([
    app.rateLimiter.hit(`${action}:ip:${request.ip}`, WINDOW_SECONDS),
    app.rateLimiter.hit(`${action}:user:${username}`, WINDOW_SECONDS),
  ]);
  if (byIp > app.config.authRateLimitPerIp || byUser > app.config.authRateLimitPerUsername) {
    throw new HttpError(429, 'rate_limited', `too many ${action} attempts, retry in a minute`, { 'retry-after': String(WINDOW_SECONDS) });
  }
}
