import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { DatabaseEndpoints } from '../constructs/database/database-endpoints';
import { DatabaseFoundation } from '../constructs/database/database-foundation';
import { PostgresDatabase } from '../constructs/database/postgres-database';
import { ShardMap } from '../constructs/database/shard-map';
import { VolumeBackup } from '../constructs/database/volume-backup';
import { RedisCache } from '../constructs/cache/redis-cache';
import { WorkQueue } from '../constructs/queue/work-queue';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { RegionConfigParameter, type RegionConfigParameterProps } from '../constructs/regions/region-config-parameter';
import { readReplicaSecretArn, replicaSecretArn } from '../constructs/regions/secret-replica';
import { retentionDays } from './retention';
import { addStackOutput } from './stack-outputs';
import { StageStack, type StageStackProps } from './stage-stack';

export interface DataStackProps extends StageStackProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
  /** 10m: the home copy of the region configuration. @default one region */
  readonly regionConfig?: RegionConfigParameterProps;
  /**
   * 10m: the second region, where every credentials secret gets a Secrets
   * Manager replica (its API reads them there, home lost or not).
   * @default no replicas
   */
  readonly secretReplicaRegion?: string;
}

/**
 * `<app>-Data`: stateful resources only: the daily backup of the instance's
 * data volume (from stage 1, where PostgreSQL lives on it), RDS from stage 10,
 * ElastiCache from 100k, the SQS queue at 1m.
 *
 * Construct IDs here are frozen: the first primary stays `Database` from stage
 * 10 to 1m, further primaries are `Shard<n>Database`; `Cache`, `WorkQueue` and
 * `VolumeBackup` keep theirs from the stage they appear.
 */
export class DataStack extends StageStack {
  public readonly volumeBackup: VolumeBackup;
  public readonly databases: PostgresDatabase[] = [];
  /** RDS stages (10+); absent at stage 1. */
  public readonly endpoints?: DatabaseEndpoints;
  /** 100k+. */
  public readonly cache?: RedisCache;
  /** 1m. */
  public readonly workQueue?: WorkQueue;
  /** 10m. */
  public readonly regionConfig?: RegionConfigParameter;
  /** 10m: the region of the credentials' replicas. */
  private readonly secretReplicaRegion?: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { spec, vpc, securityGroups } = props;
    this.secretReplicaRegion = props.secretReplicaRegion;
    this.volumeBackup = new VolumeBackup(this, 'VolumeBackup');
    const db = spec.database;
    if (db.kind === 'rds') {
      if (!securityGroups.database) throw new Error('an RDS stage needs the database security group');
      const rotationSecurityGroup = securityGroups.databaseRotation;
      if (!rotationSecurityGroup) throw new Error('an RDS stage needs the credential rotation security group');
      const foundation = new DatabaseFoundation(this, 'DatabaseFoundation', { vpc, engineMajorVersion: db.engineMajorVersion });
      for (let i = 0; i < db.primaries; i++) {
        this.databases.push(
          new PostgresDatabase(this, i === 0 ? 'Database' : `Shard${i}Database`, {
            vpc,
            securityGroup: securityGroups.database,
            subnetGroup: foundation.subnetGroup,
            parameterGroup: foundation.parameterGroup,
            engineMajorVersion: db.engineMajorVersion,
            instanceClass: db.instanceClass,
            allocatedStorageGiB: db.allocatedStorageGiB,
            maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
            multiAz: db.multiAz,
            backupRetentionDays: db.backupRetentionDays,
            readReplicas: db.readReplicas,
            logRetention: retentionDays(spec.monitoring.logRetentionDays),
            enhancedMonitoring: { interval: Duration.seconds(db.enhancedMonitoringSeconds), role: foundation.monitoringRole },
            credentialRotation: { days: db.credentialRotationDays, securityGroup: rotationSecurityGroup },
            secretReplicaRegions: props.secretReplicaRegion ? [props.secretReplicaRegion] : undefined,
          }),
        );
      }
      const shardMap = spec.sharding
        ? new ShardMap(this, 'ShardMap', {
            logicalShards: spec.sharding.logicalShards,
            primaries: this.databases.map((d) => ({ secretArn: d.secret.secretArn, replicaHosts: d.replicaHosts })),
          })
        : undefined;
      this.endpoints = {
        secret: this.databases[0].secret,
        replicaHosts: this.databases[0].replicaHosts,
        allSecrets: this.databases.map((d) => d.secret),
        shardMap: shardMap?.parameter,
        shardMapVersion: shardMap?.version,
      };
    }
    if (spec.cache) {
      if (!securityGroups.cache) throw new Error('a cache stage needs the cache security group');
      this.cache = new RedisCache(this, 'Cache', {
        spec: spec.cache,
        vpc,
        securityGroup: securityGroups.cache,
        logRetention: retentionDays(spec.monitoring.logRetentionDays),
      });
    }
    if (spec.queue) {
      this.workQueue = new WorkQueue(this, 'WorkQueue', { spec: spec.queue });
    }

    if (props.regionConfig) this.regionConfig = new RegionConfigParameter(this, 'RegionConfig', props.regionConfig);

    this.databases.forEach((database, i) => {
      const prefix = i === 0 ? '' : `Shard${i}`;
      addStackOutput(this, 'DatabaseSecretArn', database.secret.secretArn, prefix);
      addStackOutput(this, 'DatabaseInstanceId', database.instance.instanceIdentifier, prefix);
      if (props.secretReplicaRegion) addStackOutput(this, 'DatabaseSecretReplicaArn', replicaSecretArn(database.secret, props.secretReplicaRegion), prefix);
    });
    if (this.endpoints?.shardMap) addStackOutput(this, 'ShardMapParameterName', this.endpoints.shardMap.parameterName);
    if (this.cache) addStackOutput(this, 'CacheReplicationGroupId', this.cache.replicationGroup.ref);
    if (this.regionConfig) addStackOutput(this, 'RegionConfigParameterName', this.regionConfig.parameter.parameterName);
  }

  /**
   * 10m, for a stack of the second region: the ARN of each primary's
   * credentials replica there, in shard-map order (this stack's
   * `DatabaseSecretReplicaArn` outputs, read whole; the caller adds the stack
   * dependency).
   */
  public replicaSecretArns(): string[] {
    if (!this.secretReplicaRegion) throw new Error('the credentials have no replicas: set secretReplicaRegion (10m)');
    return this.databases.map((_, i) => readReplicaSecretArn(this, `${i === 0 ? '' : `Shard${i}`}DatabaseSecretReplicaArn`));
  }
}
