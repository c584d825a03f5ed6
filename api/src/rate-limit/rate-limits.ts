import { rateLimited } from '../lib/http-error';
import type { RateLimiter } from './rate-limiter';

/** One fixed-window limit: at most `limit` hits on `key` per `windowSeconds`. */
interface Limit {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

const AUTH_WINDOW_SECONDS = 60;
const PHOTO_WINDOW_SECONDS = 3600;

/** The limits, as configured (AUTH_RATE_LIMIT_*, PHOTO_*_LIMIT_PER_USER; docs/configuration.md). */
export interface RateLimitSettings {
  readonly authRateLimitPerIp: number;
  readonly authRateLimitPerUsernameAndIp: number;
  readonly authRateLimitPerUsername: number;
  readonly photoCreateLimitPerUser: number;
  readonly photoUploadLimitPerUser: number;
}

/**
 * The API's rate limits. Each call counts one hit on every limit that
 * applies, in the shared store (Redis or PostgreSQL) so that every instance
 * sees every hit, and refuses with 429 when any is over. `Retry-After` is
 * when the last exceeded window ends, so waiting that long is enough (and no
 * longer than needed).
 */
export class RateLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: RateLimitSettings,
  ) {}

  /**
   * Sign-up and log-in limits, per minute: per client IP; per username from one
   * IP (guessing one account's password); and a much higher ceiling per
   * username from all IPs together. A stranger's wrong guesses count against
   * their own address, so they cannot lock the owner out; only a guesser with
   * very many addresses reaches the username ceiling.
   * Behind proxies the client IP is the one the outermost proxy saw
   * (TRUST_PROXY = the number of proxies; see docs/configuration.md).
   */
  async auth(clientIp: string, action: 'signup' | 'login', username: string): Promise<void> {
    const { authRateLimitPerIp, authRateLimitPerUsernameAndIp, authRateLimitPerUsername } = this.settings;
    await this.enforce(`${action} attempts`, [
      { key: `${action}:ip:${clientIp}`, limit: authRateLimitPerIp, windowSeconds: AUTH_WINDOW_SECONDS },
      { key: `${action}:user-ip:${username}:${clientIp}`, limit: authRateLimitPerUsernameAndIp, windowSeconds: AUTH_WINDOW_SECONDS },
      { key: `${action}:user:${username}`, limit: authRateLimitPerUsername, windowSeconds: AUTH_WINDOW_SECONDS },
    ]);
  }

  /** Photos one user may create per hour (each can carry up to 10 MiB). */
  async photoCreate(userId: string): Promise<void> {
    await this.enforce('photos created', [{ key: `photo-create:${userId}`, limit: this.settings.photoCreateLimitPerUser, windowSeconds: PHOTO_WINDOW_SECONDS }]);
  }

  /** Upload attempts one user may make per hour (failed ones count: each may have sent up to 10 MiB). */
  async upload(userId: string): Promise<void> {
    await this.enforce('uploads', [{ key: `photo-upload:${userId}`, limit: this.settings.photoUploadLimitPerUser, windowSeconds: PHOTO_WINDOW_SECONDS }]);
  }

  private async enforce(what: string, limits: readonly Limit[]): Promise<void> {
    const hits = await Promise.all(limits.map((limit) => this.limiter.hit(limit.key, limit.windowSeconds)));
    const over = hits.filter((hit, index) => hit.count > limits[index].limit);
    if (over.length === 0) return;
    const retryAfter = Math.max(...over.map((hit) => hit.resetSeconds));
    throw rateLimited(`too many ${what}, retry in ${retryAfter} s`, retryAfter);
  }
}
