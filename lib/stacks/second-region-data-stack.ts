import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { MEDIA_PREFIX } from '../../contracts/media-keys';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { SecondRegionSpec } from '../../stages/stage-spec';
import { RedisCache } from '../constructs/cache/redis-cache';
import { PrivateBucket } from '../constructs/common/private-bucket';
import { presignedPostCors } from '../constructs/media/media';
import type { DatabaseEndpoints } from '../constructs/database/database-endpoints';
import { DatabaseFoundation } from '../constructs/database/database-foundation';
import type { PostgresDatabase } from '../constructs/database/postgres-database';
import { ShardMap } from '../constructs/database/shard-map';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { WorkQueue } from '../constructs/queue/work-queue';
import { instanceIdentifierOf } from '../constructs/regions/cross-region-values';
import { CrossRegionReplica } from '../constructs/regions/cross-region-replica';
import { RegionConfigParameter, type RegionConfigParameterProps } from '../constructs/regions/region-config-parameter';
import { retentionDays } from './retention';
import { addStackOutput } from './stack-outputs';
import { StageStack, type StageStackProps } from './stage-stack';
import { grantsOnlyForAwsResources } from '../constructs/encryption/grants-only-for-aws-resources';

export interface SecondRegionDataStackProps extends StageStackProps {
  readonly second: SecondRegionSpec;
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
  readonly homeRegion: string;
  /** The home region's primaries, in shard-map order (cross-region references). */
  readonly primaries: readonly PostgresDatabase[];
  /**
   * The ARN of each primary's credentials replica in this region, in the
   * same order (`DataStack.replicaSecretArns()`): readable here when home is lost.
   */
  readonly credentialReplicaArns: readonly string[];
  readonly regionConfig: RegionConfigParameterProps;
  /** `-c domainName`: the one origin that may POST uploads to this region's bucket (presigned, once it is home). */
  readonly domainName: string;
}

/**
 * `<app>-<region>-Data` (10m): the second region's stateful resources: a KMS
 * key of its own (replicas and Performance Insights), one cross-region read
 * replica of every home primary, the shard map naming those replicas as this
 * region's primaries, its own Redis and SQS queue, its uploads bucket (the
 * home bucket replicates into it; it replicates back, from the App stack),
 * and its copy of the region configuration.
 *
 * Construct IDs are frozen: `ReplicaKey`, `Database` / `Shard<n>Database`
 * (each the replica of the home primary with that ID), `Cache`, `WorkQueue`,
 * `UploadsReplica`, `RegionConfig`.
 */
export class SecondRegionDataStack extends StageStack {
  public readonly replicaKey: kms.Key;
  public readonly replicas: CrossRegionReplica[] = [];
  public readonly endpoints: DatabaseEndpoints;
  public readonly cache: RedisCache;
  public readonly workQueue: WorkQueue;
  public readonly uploadsReplica: PrivateBucket;
  public readonly regionConfig: RegionConfigParameter;

  constructor(scope: Construct, id: string, props: SecondRegionDataStackProps) {
    super(scope, id, props);
    const { spec, second, vpc, securityGroups } = props;
    if (spec.database.kind !== 'rds' || !spec.sharding) throw new Error('a second region replicates the sharded RDS primaries (stage 1m and up)');
    if (!securityGroups.database || !securityGroups.cache) throw new Error('the second region needs the database and cache security groups');
    const db = spec.database;
    const logRetention = retentionDays(spec.monitoring.logRetentionDays);

    this.replicaKey = new kms.Key(this, 'ReplicaKey', {
      description: 'Graminsta: cross-region read replicas of the home primaries (storage and Performance Insights)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // AWS Control Tower CT.KMS.PR.3, as on the telemetry key: grants only for AWS resources (RDS makes its own).
    this.replicaKey.addToResourcePolicy(grantsOnlyForAwsResources());
    const foundation = new DatabaseFoundation(this, 'DatabaseFoundation', { vpc, engineMajorVersion: db.engineMajorVersion });
    props.primaries.forEach((primary, i) => {
      this.replicas.push(
        new CrossRegionReplica(this, i === 0 ? 'Database' : `Shard${i}Database`, {
          sourceIdentifier: instanceIdentifierOf(primary.instance),
          sourceRegion: props.homeRegion,
          encryptionKey: this.replicaKey,
          instanceClass: second.replicaInstanceClass,
          maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
          subnetGroup: foundation.subnetGroup,
          parameterGroup: foundation.parameterGroup,
          securityGroup: securityGroups.database!,
          enhancedMonitoring: { interval: Duration.seconds(db.enhancedMonitoringSeconds), role: foundation.monitoringRole },
          logRetention,
        }),
      );
    });
    // This region's shard map names its own servers as the primaries (docs/region-routing.md, "Reads stay in the
    // region"): each entry reaches the local cross-region replica (`host`) with the home primary's credentials
    // (PostgreSQL replicates its roles), read from the secret's replica in this region. It reads them while home is
    // elsewhere and, once a failover promotes them, writes them, with no change to the map. The secret's own `host`
    // still names the home primary: what `npm run failover` fences (its `secretServer`).
    if (props.credentialReplicaArns.length !== props.primaries.length) throw new Error('one credentials replica per home primary');
    const secrets = props.credentialReplicaArns.map((arn, i) => secretsmanager.Secret.fromSecretCompleteArn(this, `CredentialsReplica${i}`, arn));
    const shardMap = new ShardMap(this, 'ShardMap', {
      logicalShards: spec.sharding.logicalShards,
      primaries: secrets.map((secret, i) => ({ secretArn: secret.secretArn, host: this.replicas[i].host, replicaHosts: [] })),
    });
    this.endpoints = {
      secret: secrets[0],
      replicaHosts: [],
      allSecrets: secrets,
      shardMap: shardMap.parameter,
      shardMapVersion: shardMap.version,
    };
    this.cache = new RedisCache(this, 'Cache', { spec: second.cache, vpc, securityGroup: securityGroups.cache, logRetention });
    this.workQueue = new WorkQueue(this, 'WorkQueue', { spec: second.queue });
    const accessLogs = new PrivateBucket(this, 'UploadsReplicaAccessLogs', {
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    // Versioned: S3 replication needs versioning on both buckets. CORS as at home: once this region is home,
    // browsers POST photos here (presigned), and this region's API writes them here.
    this.uploadsReplica = new PrivateBucket(this, 'UploadsReplica', {
      versioned: true,
      cors: spec.uploads?.presignedBrowserUploads ? [presignedPostCors(props.domainName)] : undefined,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads-replica/',
      lifecycleRules: [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true }],
    });
    // The CDN's `/media/*` failover origin (origin access control). The distribution lives in the home App stack,
    // which reads this bucket, so naming the distribution here would make the two stacks wait for each other:
    // the condition admits this account's distributions instead, for reads of photos only.
    this.uploadsReplica.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsPhotosOfThisAccountsDistributions',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.uploadsReplica.arnForObjects(`${MEDIA_PREFIX}*`)],
        conditions: { StringLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` } },
      }),
    );
    this.regionConfig = new RegionConfigParameter(this, 'RegionConfig', props.regionConfig);
    addStackOutput(this, 'RegionConfigParameterName', this.regionConfig.parameter.parameterName);
    addStackOutput(this, 'ShardMapParameterName', shardMap.parameter.parameterName);
    addStackOutput(this, 'CacheReplicationGroupId', this.cache.replicationGroup.ref);
  }
}
