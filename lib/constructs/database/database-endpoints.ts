import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ssm from 'aws-cdk-lib/aws-ssm';

/** What the API needs to know about the databases (RDS, from stage 10; the Data stack's `endpoints`). */
export interface DatabaseEndpoints {
  /** The first primary's secret (`DATABASE_SECRET_ARN`). */
  readonly secret: secretsmanager.ISecret;
  /** `host:port` of its read replicas. */
  readonly replicaHosts: string[];
  /** Every primary's secret: the API may read them all once sharded. */
  readonly allSecrets: secretsmanager.ISecret[];
  /** From 1m: the shard map parameter (`SHARD_MAP_PARAMETER`). */
  readonly shardMap?: ssm.IStringParameter;
  /** Fingerprint of the shard map's template value (`ShardMap.version`). */
  readonly shardMapVersion?: string;
}
