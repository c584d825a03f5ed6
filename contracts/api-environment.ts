/**
 * The names of the environment variables the API and its worker read: the
 * contract between the stacks, which write them into the instances' env file
 * (lib/constructs, `apiEnvironment`), the API, which validates them once at
 * start (api/src/config), and the tests, which start the API with only the
 * ones they pass (test/support/api-server.ts). Meanings and defaults are in
 * docs/configuration.md (test/contracts/api-environment.test.ts checks that
 * every name here is documented there or in another docs/ table).
 * Imports nothing.
 */
export const API_ENVIRONMENT_VARIABLES = [
  // Set by the stacks.
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'REQUEST_LOG',
  'REQUEST_LOG_SLOW_MS',
  'DATA_DIR',
  'WEB_ROOT',
  'DATABASE_URL',
  'DATABASE_SECRET_ARN',
  'DATABASE_REPLICA_URLS',
  'DATABASE_REPLICA_HOSTS',
  'SHARD_MAP_PARAMETER',
  'SHARD_MAP',
  'SHARD_DATABASE_URLS',
  /** Written by the stacks, never read by the API: a changed shard map changes the env file and rolls the fleet. */
  'SHARD_MAP_VERSION',
  /** 10m: the SSM parameter holding the region configuration (contracts/region-config.ts), re-read at run time. */
  'REGION_CONFIG_PARAMETER',
  'REDIS_URL',
  'REDIS_CLUSTER',
  'REDIS_AUTH_SECRET_ARN',
  'SESSIONS_DATABASE_FALLBACK',
  'UPLOADS_BUCKET',
  'UPLOAD_MODE',
  'MEDIA_BASE_URL',
  'AWS_REGION',
  'WORK_QUEUE_URL',
  'QUEUE',
  'QUEUE_VISIBILITY_TIMEOUT_MS',
  'WORKER_JOB_TIMEOUT_MS',
  'WORKER_CONCURRENCY',
  // Stage 10m: which region this API is in and which one is home (contracts/region-config.ts, docs/region-routing.md).
  'REGION_NAME',
  'REGION_CONFIG',
  'REGION_CONFIG_REFRESH_MS',
  'REGION_READ_WAIT_MS',
  'REGION_CACHE_TTL_SECONDS',
  // API-side tuning, local runs and tests; the stacks may leave them unset.
  'TRUST_PROXY',
  'ORIGIN_VERIFY_SECRET_ARN',
  'ORIGIN_VERIFY_REFRESH_MS',
  'REQUEST_TIMEOUT_MS',
  'PUBLIC_API_URL',
  'DATABASE_CA_FILE',
  'DATABASE_POOL_SIZE',
  'SHARD_MOVES_REFRESH_MS',
  'SHARD_WRITE_WAIT_MS',
  'S3_ENDPOINT',
  'NEAR_CACHE_TTL_MS',
  'SESSION_NEAR_TTL_MS',
  'USER_CACHE_TTL_SECONDS',
  'READ_YOUR_WRITES_MS',
  'AUTH_RATE_LIMIT_PER_IP',
  'AUTH_RATE_LIMIT_PER_USERNAME_AND_IP',
  'AUTH_RATE_LIMIT_PER_USERNAME',
  'PENDING_PHOTO_TTL_MS',
  'PHOTO_CREATE_LIMIT_PER_USER',
  'PHOTO_UPLOAD_LIMIT_PER_USER',
  'FEED_CELEBRITY_FOLLOWERS',
  'FEED_CELEBRITY_REFRESH_MS',
  'QUEUE_MAX_ATTEMPTS',
  'QUEUE_POLL_MS',
  'PASSWORD_HASH_THREADS',
  'PASSWORD_HASH_QUEUE',
  'PASSWORD_HASH_COST',
  // Metrics (docs/metrics.md): EMF lines on stdout at every stage; the Prometheus endpoint for local runs.
  'METRICS_ENDPOINT',
  'METRICS_FLUSH_SECONDS',
] as const;

/** One of the names above: the API's readers and the stacks' writer take only these, so a misspelt name fails the type check. */
export type ApiEnvironmentVariable = (typeof API_ENVIRONMENT_VARIABLES)[number];
