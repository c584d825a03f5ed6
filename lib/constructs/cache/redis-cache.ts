import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REDIS_PORT } from '../../../contracts/redis';
import type { CacheSpec } from '../../../stages/stage-spec';


export interface RedisCacheProps {
  readonly spec: CacheSpec;
  readonly vpc: ec2.IVpc;
  /** The cache's security group (`SecurityGroups` of the Network stack, which opens REDIS_PORT to the API only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default the VPC's isolated subnets (the cache needs no internet) */
  readonly subnets?: ec2.SubnetSelection;
  /** Daily snapshots kept. @default 7 */
  readonly snapshotRetentionDays?: number;
  /** Retention of the slow log. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * ElastiCache for Redis OSS, cluster mode enabled (stage 100k+): shards and
 * replicas from the spec, TLS required, encrypted at rest, AUTH token from a
 * generated Secrets Manager secret (a dynamic reference: the token never
 * appears in the template), automatic failover across AZs.
 *
 * What forces REPLACEMENT of the replication group (a new, empty cache with a
 * new endpoint) and is therefore fixed from the first stage, never changed:
 * Engine, Port, AtRestEncryptionEnabled, KmsKeyId (AWS-owned key),
 * CacheSubnetGroupName (the `SubnetGroup` below keeps its ID; its subnets may
 * change in place), ReplicasPerNodeGroup, NetworkType, DataTieringEnabled and
 * the (unset) ReplicationGroupId, PreferredCacheClusterAZs, SnapshotArns.
 * What changes IN PLACE later: CacheNodeType (vertical scaling), NumNodeGroups
 * (online resharding: cluster mode enabled, which is why cluster mode is on from
 * the first stage even with few shards, and the UseOnlineResharding update
 * policy, without which CloudFormation replaces the group instead), EngineVersion (upgrades only),
 * AuthToken (rotation with AuthTokenUpdateStrategy), snapshot and maintenance
 * windows. Transit encryption is `required` from the start, so it never needs
 * the preferred → required migration.
 *
 * Construct IDs are frozen: `ReplicationGroup`, `SubnetGroup` and `AuthToken`
 * are stateful.
 */
export class RedisCache extends Construct {
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  public readonly subnetGroup: elasticache.CfnSubnetGroup;
  /** JSON secret; its `password` field is the Redis AUTH token (`REDIS_AUTH_SECRET_ARN`). */
  public readonly authSecret: secretsmanager.Secret;
  public readonly slowLog: logs.LogGroup;
  /** Cluster configuration endpoint (host). */
  public readonly configurationEndpoint: string;
  public readonly port: number = REDIS_PORT;
  /** `rediss://<configuration endpoint>:<REDIS_PORT>` for `REDIS_URL` (with `REDIS_CLUSTER=true`). */
  public readonly redisUrl: string;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    validateSpec(props.spec);

    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'Graminsta Redis AUTH token (field "password")',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'password',
        // AUTH tokens: 16-128 printable characters, none of  " / @  nor spaces.
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Graminsta Redis: isolated subnets',
      subnetIds: props.vpc.selectSubnets(props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    this.subnetGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.slowLog = new logs.LogGroup(this, 'SlowLog', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const major = props.spec.engineVersion.split('.')[0];
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'Graminsta cache and sessions',
      engine: 'redis',
      engineVersion: props.spec.engineVersion,
      cacheNodeType: props.spec.nodeType,
      // Cluster mode enabled: the default parameter group of the engine family with cluster-enabled=yes.
      cacheParameterGroupName: `default.redis${major}.cluster.on`,
      clusterMode: 'enabled',
      numNodeGroups: props.spec.shards,
      replicasPerNodeGroup: props.spec.replicasPerShard,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      port: REDIS_PORT,
      cacheSubnetGroupName: this.subnetGroup.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: this.authSecret.secretValueFromJson('password').unsafeUnwrap(),
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 7,
      snapshotWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: this.slowLog.logGroupName } },
          logFormat: 'json',
          logType: 'slow-log',
        },
      ],
    });
    // SNAPSHOT, not RETAIN: a deleted or replaced cache leaves a final snapshot
    // (sessions can be restored) instead of an orphaned, billed cluster.
    this.replicationGroup.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    // Without this, a change of NumNodeGroups (2 → 4 at 1m) makes CloudFormation REPLACE the group: a new, empty
    // cache (every session in Redis lost) with a new endpoint. With it, ElastiCache reshards online.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-useonlineresharding
    this.replicationGroup.cfnOptions.updatePolicy = { useOnlineResharding: true };

    this.configurationEndpoint = this.replicationGroup.attrConfigurationEndPointAddress;
    this.redisUrl = `rediss://${this.configurationEndpoint}:${REDIS_PORT}`;
  }

  /** Lets the API (or worker) read the AUTH token. */
  public grantReadAuthToken(grantee: iam.IGrantable): iam.Grant {
    return this.authSecret.grantRead(grantee);
  }
}

/** Bad specs fail at synth, naming the field. */
function validateSpec(spec: CacheSpec): void {
  if (!Number.isInteger(spec.shards) || spec.shards < 1 || spec.shards > 500) throw new Error(`cache.shards must be 1-500, got ${spec.shards}`);
  // Multi-AZ with automatic failover needs a replica in every shard.
  if (!Number.isInteger(spec.replicasPerShard) || spec.replicasPerShard < 1 || spec.replicasPerShard > 5) {
    throw new Error(`cache.replicasPerShard must be 1-5 (automatic failover needs a replica), got ${spec.replicasPerShard}`);
  }
  if (!/^\d+\.\d+$/.test(spec.engineVersion)) throw new Error(`cache.engineVersion must look like "7.1", got "${spec.engineVersion}"`);
  if (!spec.nodeType.startsWith('cache.')) throw new Error(`cache.nodeType must be an ElastiCache node type (cache.*), got "${spec.nodeType}"`);
}
