import type { ApiEnvironmentVariable } from '../../../../contracts/api-environment';

/**
 * The API's configuration as the stacks set it: the environment variables of
 * docs/configuration.md (their names are contracts/api-environment.ts's),
 * written to /etc/graminsta/api.env. Values may be CDK tokens (endpoints,
 * ARNs), which resolve inside the instance metadata.
 */
export interface ApiRuntimeConfig {
  readonly port: number;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Local photo files (and the stage-1 PostgreSQL), the data volume's mount point. */
  readonly dataDir?: string;
  /** The built web client the API serves at `/` (stages 1 and 10). */
  readonly webRoot?: string;
  /** Stage 1: PostgreSQL on the instance over its Unix socket. */
  readonly databaseUrl?: string;
  readonly databaseSecretArn?: string;
  /** PEM bundle to verify the RDS certificate. */
  readonly databaseCaFile?: string;
  readonly databaseReplicaHosts?: readonly string[];
  readonly shardMapParameter?: string;
  /**
   * The shard map's fingerprint (`ShardMap.version`). The API does not need
   * it; it is here so that a changed map (a primary or replica added) changes
   * the instances' configuration and so rolls the fleet.
   */
  readonly shardMapVersion?: string;
  /** The region configuration parameter (10m: which region takes writes; contracts/region-config.ts). */
  readonly regionConfigParameter?: string;
  /** Explicitly on in the second region (10m): sessions made at home are read from the replicated sessions table. */
  readonly sessionsDatabaseFallback?: boolean;
  readonly redisUrl?: string;
  readonly redisCluster?: boolean;
  readonly redisAuthSecretArn?: string;
  readonly uploadsBucket?: string;
  readonly uploadMode?: 'proxy' | 'presigned';
  readonly mediaBaseUrl?: string;
  /**
   * How many proxies sit in front of the API (CloudFront; from 1k also the load
   * balancer): the API takes the client IP from that many X-Forwarded-For hops.
   * A count, not `true`: trusting every hop lets a client prepend a fake address
   * and slip past the per-IP rate limits.
   */
  readonly trustProxy?: number;
  /** The secret CloudFront sends in the origin-verify header; the API rejects requests without it. */
  readonly originVerifySecretArn?: string;
  /** The job queue's back end (1m: `sqs`, read by the API and the worker). */
  readonly queue?: 'sqs' | 'postgres';
  /** The SQS work queue (1m). */
  readonly workQueueUrl?: string;
  /** The queue's visibility timeout (1m), so the worker checks its job timeout fits inside it. */
  readonly queueVisibilityTimeoutSeconds?: number;
  /** The worker's per-job timeout (1m), from the stage's queue spec. */
  readonly workerJobTimeoutSeconds?: number;
  /** Jobs one worker process runs at once (1m), from the stage's queue spec. */
  readonly workerConcurrency?: number;
  readonly awsRegion?: string;
}

function milliseconds(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : String(seconds * 1000);
}

/** The variables, in a stable order; unset ones are left out. */
export function apiEnvironment(config: ApiRuntimeConfig): Array<[ApiEnvironmentVariable, string]> {
  const vars: Array<[ApiEnvironmentVariable, string | undefined]> = [
    ['PORT', String(config.port)],
    ['HOST', '0.0.0.0'],
    ['LOG_LEVEL', config.logLevel ?? 'info'],
    ['DATA_DIR', config.dataDir],
    ['WEB_ROOT', config.webRoot],
    ['DATABASE_URL', config.databaseUrl],
    ['DATABASE_SECRET_ARN', config.databaseSecretArn],
    ['DATABASE_CA_FILE', config.databaseCaFile],
    ['DATABASE_REPLICA_HOSTS', config.databaseReplicaHosts?.length ? config.databaseReplicaHosts.join(',') : undefined],
    ['SHARD_MAP_PARAMETER', config.shardMapParameter],
    ['SHARD_MAP_VERSION', config.shardMapVersion],
    ['REGION_CONFIG_PARAMETER', config.regionConfigParameter],
    ['SESSIONS_DATABASE_FALLBACK', config.sessionsDatabaseFallback === undefined ? undefined : String(config.sessionsDatabaseFallback)],
    ['REDIS_URL', config.redisUrl],
    ['REDIS_CLUSTER', config.redisCluster === undefined ? undefined : String(config.redisCluster)],
    ['REDIS_AUTH_SECRET_ARN', config.redisAuthSecretArn],
    ['UPLOADS_BUCKET', config.uploadsBucket],
    ['UPLOAD_MODE', config.uploadMode],
    ['MEDIA_BASE_URL', config.mediaBaseUrl],
    ['TRUST_PROXY', config.trustProxy === undefined ? undefined : String(config.trustProxy)],
    ['ORIGIN_VERIFY_SECRET_ARN', config.originVerifySecretArn],
    ['QUEUE', config.queue],
    ['WORK_QUEUE_URL', config.workQueueUrl],
    ['QUEUE_VISIBILITY_TIMEOUT_MS', milliseconds(config.queueVisibilityTimeoutSeconds)],
    ['WORKER_JOB_TIMEOUT_MS', milliseconds(config.workerJobTimeoutSeconds)],
    ['WORKER_CONCURRENCY', config.workerConcurrency === undefined ? undefined : String(config.workerConcurrency)],
    ['AWS_REGION', config.awsRegion],
  ];
  return vars.filter((v): v is [ApiEnvironmentVariable, string] => v[1] !== undefined);
}

/** systemd EnvironmentFile syntax: one `NAME=value` per line (values hold no newlines or quotes). */
export function envFileContent(config: ApiRuntimeConfig): string {
  return apiEnvironment(config)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}
