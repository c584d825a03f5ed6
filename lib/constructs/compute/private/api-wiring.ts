import { Aws } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { queueVisibilityTimeoutSeconds } from '../../../../stages/stage-spec';
import type { ApiDependencies, ApiWorkQueue } from '../api-dependencies';
import { API_PATHS } from '../api-paths';
import { API_PORT } from '../api-port';
import type { ApiRuntimeConfig } from './api-environment';

/** PostgreSQL on the instance, over its Unix socket with peer authentication: no password. */
export const LOCAL_DATABASE_URL = 'postgres:///graminsta?host=/run/postgresql';

/** What the instance or the fleet adds to the API's dependencies. */
export interface ApiHost {
  /**
   * Proxies in front of the API: CloudFront, and from 1k the load balancer
   * behind it. The API trusts exactly those hops (`TRUST_PROXY`).
   */
  readonly proxies: 1 | 2;
  /** The data volume's mount point (the single instance). @default none */
  readonly dataDir?: string;
  /** The built web client the API serves at `/`. @default none */
  readonly webRoot?: string;
  /** Where browsers fetch photos (the CDN's `/media/`). @default the API serves them */
  readonly mediaBaseUrl?: string;
  /** The job queue (1m): the API sends to it, the worker beside it consumes it. @default none */
  readonly workQueue?: ApiWorkQueue;
}

/** The API's environment (docs/configuration.md) for its dependencies on this host. */
export function apiRuntimeConfig(deps: ApiDependencies, host: ApiHost): ApiRuntimeConfig {
  const { database, uploads, cache } = deps;
  const queue = host.workQueue;
  return {
    port: API_PORT,
    dataDir: host.dataDir,
    webRoot: host.webRoot,
    databaseUrl: database ? undefined : LOCAL_DATABASE_URL,
    databaseSecretArn: database?.secret.secretArn,
    databaseCaFile: database ? API_PATHS.rdsCaBundle : undefined,
    databaseReplicaHosts: database?.replicaHosts,
    shardMapParameter: database?.shardMap?.parameterName,
    shardMapVersion: database?.shardMapVersion,
    regionConfigParameter: deps.regionConfig?.parameterName,
    sessionsDatabaseFallback: deps.sessionsDatabaseFallback,
    uploadsBucket: uploads?.bucket.bucketName,
    uploadMode: uploads?.uploadMode,
    mediaBaseUrl: host.mediaBaseUrl,
    redisUrl: cache?.redisUrl,
    redisCluster: cache ? true : undefined,
    redisAuthSecretArn: cache?.authSecret.secretArn,
    trustProxy: host.proxies,
    originVerifySecretArn: deps.originSecret.secretArn,
    queue: queue ? 'sqs' : undefined,
    workQueueUrl: queue?.queue.queueUrl,
    queueVisibilityTimeoutSeconds: queue ? queueVisibilityTimeoutSeconds(queue.spec) : undefined,
    workerJobTimeoutSeconds: queue?.spec.jobTimeoutSeconds,
    workerConcurrency: queue?.spec.workerConcurrency,
    // Every stage reads the origin secret from Secrets Manager.
    awsRegion: Aws.REGION,
  };
}

/** Lets the API's instances read (and, for the bucket and the queue, use) what its environment names. */
export function grantApiDependencies(role: iam.IGrantable, deps: ApiDependencies, workQueue?: ApiWorkQueue): void {
  deps.originSecret.grantRead(role);
  if (deps.database) {
    for (const secret of deps.database.allSecrets) secret.grantRead(role);
    deps.database.shardMap?.grantRead(role);
  }
  deps.regionConfig?.grantRead(role);
  deps.uploads?.grantApiAccess(role);
  deps.cache?.grantReadAuthToken(role);
  if (workQueue) {
    workQueue.grantSend(role);
    workQueue.grantConsume(role);
  }
}
