/**
 * Redis's port. The ElastiCache replication group listens on it
 * (lib/constructs/cache; a different port would replace the cache), the
 * network opens it to the API only (lib/constructs/network), and the API's
 * cluster client falls back to it when REDIS_URL names none
 * (api/src/cache/redis-client.ts). Imports nothing.
 */
export const REDIS_PORT = 6379;
