import { LIVENESS_PATH, READINESS_PATH } from './health-paths';

/**
 * The header CloudFront adds to every request it sends to the API's origin,
 * carrying a secret only CloudFront and the API know (the stacks write it into
 * the distribution's origin configuration; the API reads it from Secrets
 * Manager). The API rejects requests without it, so nobody can reach the API
 * around CloudFront even from an address CloudFront also uses.
 *
 * Shared by lib/ (the distribution) and api/ (the check); imports nothing.
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Paths the API answers without the header: health checks from the load balancer and the instance itself. */
export const ORIGIN_VERIFY_EXEMPT_PATHS: readonly string[] = [LIVENESS_PATH, READINESS_PATH];
