import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import type { QueueSpec } from '../../../stages/stage-spec';
import type { DatabaseEndpoints } from '../database/database-endpoints';

/** The photo bucket as the API uses it (`Media`, 1k+). */
export interface ApiUploads {
  readonly bucket: s3.IBucket;
  /** `proxy`: browsers upload through the API; `presigned`: straight to S3 (10k+). */
  readonly uploadMode: 'proxy' | 'presigned';
  /** Read, write and delete what the API owns in the bucket. */
  grantApiAccess(grantee: iam.IGrantable): iam.Grant;
}

/** The Redis cluster as the API uses it (`RedisCache`, 100k+). */
export interface ApiCache {
  /** `rediss://<configuration endpoint>:<port>`, a cluster-mode endpoint. */
  readonly redisUrl: string;
  /** JSON secret whose `password` field is the AUTH token. */
  readonly authSecret: secretsmanager.ISecret;
  /** Read the AUTH token. */
  grantReadAuthToken(grantee: iam.IGrantable): iam.Grant;
}

/** The job queue the API sends to and the worker consumes (`WorkQueue`, 1m). */
export interface ApiWorkQueue {
  readonly queue: sqs.IQueue;
  /** The job timeout, worker concurrency and (derived) visibility timeout the worker is told. */
  readonly spec: QueueSpec;
  /** Send messages (the API queues jobs). */
  grantSend(grantee: iam.IGrantable): iam.Grant;
  /** Receive, delete and extend the visibility of messages (the worker). */
  grantConsume(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What the API reads at run time from the rest of the stage, as the compute
 * constructs take it. Each one becomes the API's environment variables
 * (docs/configuration.md) and a grant to the instances' role, in one place
 * (`private/api-wiring.ts`), so the env file never names a resource the API
 * may not read.
 */
export interface ApiDependencies {
  /** The secret CloudFront sends in its origin header (`OriginVerifySecret`); every stage. */
  readonly originSecret: secretsmanager.ISecret;
  /**
   * RDS (10+): the API reads its credentials from Secrets Manager and
   * verifies its certificate.
   * @default PostgreSQL on the single instance's data volume (stage 1)
   */
  readonly database?: DatabaseEndpoints;
  /** @default photos are files under DATA_DIR on the instance */
  readonly uploads?: ApiUploads;
  /** @default sessions and caches in PostgreSQL and in process */
  readonly cache?: ApiCache;
  /**
   * Two regions (10m): the region configuration this region's copy holds
   * (`REGION_CONFIG_PARAMETER`), which the API re-reads to know where writes go.
   * @default one region
   */
  readonly regionConfig?: ssm.IStringParameter;
  /**
   * Sets `SESSIONS_DATABASE_FALLBACK` explicitly (the API's default is on): the
   * second region's API reads a session its Redis does not know from the
   * replicated sessions table, so a user signed in at home stays signed in.
   * @default unset (the API's default)
   */
  readonly sessionsDatabaseFallback?: boolean;
}
