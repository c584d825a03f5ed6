import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { type DatabaseEnvironment, readDatabaseEnvironment } from '../../../contracts/database-targets';
import { loadMetricsConfig, type MetricsConfig } from './metrics-config';
import { loadQueueConfig, type QueueConfig } from './queue-config';
import { loadRegionEnvironment, type RegionEnvironment } from './region-env';
import { arn, boolean, ConfigError, type Env, integer, oneOf, text, url } from '../../../contracts/env-readers';

export { ConfigError } from '../../../contracts/env-readers';

export type UploadMode = 'proxy' | 'presigned';
export type PasswordHashCost = 'production' | 'test';

/**
 * Which requests get a log line (REQUEST_LOG, lib/request-log.ts, docs/api.md
 * "Request logging"): `all`, or only `problems` (a status of 400 or more,
 * slower than REQUEST_LOG_SLOW_MS, a failed write, an aborted request).
 */
export const REQUEST_LOG_MODES = ['all', 'problems'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];

/**
 * The API's configuration as read from the environment: validated, but with
 * secrets still referenced by ARN (see `resolve-config.ts`).
 */
export interface EnvConfig extends QueueConfig, MetricsConfig, DatabaseEnvironment, RegionEnvironment {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** Which requests get a log line: `problems` (4xx, 5xx, slow, aborted) or `all`. @default 'problems' */
  readonly requestLog: RequestLogMode;
  /** A request at least this slow gets a line with `problems`. @default 1000 */
  readonly requestLogSlowMs: number;
  readonly dataDir: string;
  readonly webRoot?: string;
  /** How often the API re-reads the `moved` rows of every server (only with more than one primary). */
  readonly shardMovesRefreshMs: number;
  /** How long a write to a frozen (moving) logical shard waits before a 503 `shard_moving`. */
  readonly shardWriteWaitMs: number;
  readonly redisUrl?: string;
  readonly redisCluster: boolean;
  readonly redisAuthSecretArn?: string;
  /**
   * SESSIONS_DATABASE_FALLBACK (only with REDIS_URL): a token Redis does not
   * know is looked for in PostgreSQL and copied into Redis, and log-ins are
   * written to both, so the step that introduces Redis (10k → 100k) signs
   * nobody out and instances still on the old configuration accept sessions
   * the new ones made. Off once every PostgreSQL session has expired.
   */
  readonly sessionsDatabaseFallback: boolean;
  readonly uploadsBucket?: string;
  readonly uploadMode: UploadMode;
  readonly mediaBaseUrl?: string;
  readonly awsRegion?: string;
  readonly s3Endpoint?: string;
  readonly passwordHashCost: PasswordHashCost;
  readonly nearCacheTtlMs: number;
  /** SESSION_NEAR_TTL_MS: how long an instance keeps a session it found in Redis (NearSessionStore); 0 turns the tier off. */
  readonly sessionNearTtlMs: number;
  readonly userCacheTtlSeconds: number;
  readonly readYourWritesMs: number;
  /**
   * TRUST_PROXY: how many proxies stand between clients and the API (0: none,
   * clients connect directly). The client address is the one that many hops
   * back along X-Forwarded-For; entries a client wrote itself lie further back
   * and are never read.
   */
  readonly trustProxyHops: number;
  /** REQUEST_TIMEOUT_MS: a request (headers and body) must arrive within this, or it gets 408 and its connection is closed. */
  readonly requestTimeoutMs: number;
  /** The secret CloudFront sends in `x-origin-verify`; requests without it get 403. */
  readonly originVerifySecretArn?: string;
  /** How often the accepted origin secret values are re-read. */
  readonly originVerifyRefreshMs: number;
  readonly publicApiUrl?: string;
  readonly workQueueUrl?: string;
  readonly databasePoolSize: number;
  readonly authRateLimitPerIp: number;
  /** Sign-up / log-in attempts per username from one client IP, per minute. */
  readonly authRateLimitPerUsernameAndIp: number;
  /** Sign-up / log-in attempts per username from all IPs together, per minute: the ceiling a distributed guesser meets. */
  readonly authRateLimitPerUsername: number;
  /** Worker threads hashing passwords (each one hash at a time). */
  readonly passwordHashThreads: number;
  /** Hashes that may wait for a thread before log-ins and sign-ups get 503 `busy`. */
  readonly passwordHashQueue: number;
  /** A photo whose bytes have not arrived this long after its creation is deleted (PENDING_PHOTO_TTL_MS). */
  readonly pendingPhotoTtlMs: number;
  /** Photos one user may create per hour. */
  readonly photoCreateLimitPerUser: number;
  /** Upload attempts one user may make per hour. */
  readonly photoUploadLimitPerUser: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * TRUST_PROXY is a hop count (`false` is 0). `true` ("trust every hop") is
 * refused: it takes the first X-Forwarded-For entry, which the client writes,
 * so a client rotating that header would escape every per-IP limit.
 */
function trustProxyHops(env: Env): number {
  const raw = text(env, 'TRUST_PROXY')?.toLowerCase();
  if (raw === undefined || raw === 'false') return 0;
  if (raw === 'true') {
    throw new ConfigError('TRUST_PROXY', 'must be the number of proxies in front of the API (1: CloudFront; 2: CloudFront, then the load balancer), not true: trusting every hop lets a client choose its own address');
  }
  return integer(env, 'TRUST_PROXY', 0, 0, 10);
}

/**
 * Reads and validates every variable in docs/configuration.md. Throws one
 * `ConfigError` naming the first bad variable.
 */
export function loadEnvConfig(env: Env = process.env, cwd = process.cwd()): EnvConfig {
  const dataDirRaw = text(env, 'DATA_DIR') ?? './.data';
  const webRootRaw = text(env, 'WEB_ROOT');
  const database = readDatabaseEnvironment(env);
  const uploadsBucket = text(env, 'UPLOADS_BUCKET');
  if (uploadsBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(uploadsBucket)) {
    throw new ConfigError('UPLOADS_BUCKET', `is not a valid S3 bucket name: "${uploadsBucket}"`);
  }
  const mediaBaseUrl = url(env, 'MEDIA_BASE_URL', ['https', 'http']);
  const redisUrl = url(env, 'REDIS_URL', ['redis', 'rediss']);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    requestLog: oneOf(env, 'REQUEST_LOG', REQUEST_LOG_MODES, 'problems'),
    requestLogSlowMs: integer(env, 'REQUEST_LOG_SLOW_MS', 1000, 0, 600_000),
    dataDir: isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw),
    webRoot: webRootRaw === undefined ? undefined : resolve(cwd, webRootRaw),
    ...database,
    shardMovesRefreshMs: integer(env, 'SHARD_MOVES_REFRESH_MS', 2000, 100, 600_000),
    shardWriteWaitMs: integer(env, 'SHARD_WRITE_WAIT_MS', 5000, 0, 60_000),
    redisUrl,
    redisCluster: boolean(env, 'REDIS_CLUSTER', false),
    redisAuthSecretArn: arn(env, 'REDIS_AUTH_SECRET_ARN', 'secretsmanager'),
    sessionsDatabaseFallback: boolean(env, 'SESSIONS_DATABASE_FALLBACK', true),
    uploadsBucket,
    uploadMode: oneOf<UploadMode>(env, 'UPLOAD_MODE', ['proxy', 'presigned'], 'proxy'),
    mediaBaseUrl: mediaBaseUrl === undefined ? undefined : mediaBaseUrl.endsWith('/') ? mediaBaseUrl : `${mediaBaseUrl}/`,
    awsRegion: text(env, 'AWS_REGION'),
    s3Endpoint: url(env, 'S3_ENDPOINT', ['http', 'https']),
    passwordHashCost: oneOf<PasswordHashCost>(env, 'PASSWORD_HASH_COST', ['production', 'test'], 'production'),
    nearCacheTtlMs: integer(env, 'NEAR_CACHE_TTL_MS', 1000, 0, 60_000),
    sessionNearTtlMs: integer(env, 'SESSION_NEAR_TTL_MS', 1000, 0, 10_000),
    userCacheTtlSeconds: integer(env, 'USER_CACHE_TTL_SECONDS', 30, 1, 3600),
    readYourWritesMs: integer(env, 'READ_YOUR_WRITES_MS', 5000, 0, 600_000),
    trustProxyHops: trustProxyHops(env),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 60_000, 1_000, 600_000),
    originVerifySecretArn: arn(env, 'ORIGIN_VERIFY_SECRET_ARN', 'secretsmanager'),
    originVerifyRefreshMs: integer(env, 'ORIGIN_VERIFY_REFRESH_MS', 300_000, 1000, 86_400_000),
    publicApiUrl: url(env, 'PUBLIC_API_URL', ['http', 'https'])?.replace(/\/+$/, ''),
    workQueueUrl: url(env, 'WORK_QUEUE_URL', ['https', 'http']),
    ...loadQueueConfig(env),
    ...loadMetricsConfig(env),
    ...loadRegionEnvironment(env),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    authRateLimitPerIp: integer(env, 'AUTH_RATE_LIMIT_PER_IP', 30, 1, 1_000_000),
    authRateLimitPerUsernameAndIp: integer(env, 'AUTH_RATE_LIMIT_PER_USERNAME_AND_IP', 10, 1, 1_000_000),
    authRateLimitPerUsername: integer(env, 'AUTH_RATE_LIMIT_PER_USERNAME', 100, 1, 1_000_000),
    // One core left to the event loop where there are several.
    passwordHashThreads: integer(env, 'PASSWORD_HASH_THREADS', Math.max(1, availableParallelism() - 1), 1, 64),
    passwordHashQueue: integer(env, 'PASSWORD_HASH_QUEUE', 32, 0, 10_000),
    pendingPhotoTtlMs: integer(env, 'PENDING_PHOTO_TTL_MS', 3_600_000, 1_000, 7 * 86_400_000),
    photoCreateLimitPerUser: integer(env, 'PHOTO_CREATE_LIMIT_PER_USER', 60, 1, 1_000_000),
    photoUploadLimitPerUser: integer(env, 'PHOTO_UPLOAD_LIMIT_PER_USER', 60, 1, 1_000_000),
  };
}
