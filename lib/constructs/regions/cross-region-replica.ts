import { Aws, CfnDeletionPolicy, type Duration, Fn, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { POSTGRES_LOG_EXPORTS } from '../database/postgres-database';

export interface CrossRegionReplicaProps {
  /** The home primary's identifier (its L1 `Ref`, a cross-region reference: `instanceIdentifierOf`). */
  readonly sourceIdentifier: string;
  /** The home region: the source's ARN names it (this stack's `AWS::Region` is the replica's). */
  readonly sourceRegion: string;
  /** A key in this region: an encrypted primary's replica in another region needs one. */
  readonly encryptionKey: kms.IKey;
  readonly instanceClass: string;
  readonly maxAllocatedStorageGiB: number;
  readonly subnetGroup: rds.ISubnetGroup;
  readonly parameterGroup: rds.IParameterGroup;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly enhancedMonitoring: { readonly interval: Duration; readonly role: iam.IRole };
  /**
   * How long the exported PostgreSQL logs are kept: RDS creates their log
   * groups itself (`/aws/rds/instance/<id>/<log>`), never expiring, unless
   * something sets a retention. @default one month, as the home primaries
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A cross-region read replica of one shard primary, in the second region
 * (10m): the second region's API reads from it, and a failover promotes it to
 * be the primary (npm run failover).
 *
 * An L1 `AWS::RDS::DBInstance` on purpose: CDK's `DatabaseInstanceReadReplica`
 * takes the source as an `IDatabaseInstance` and writes its identifier, which
 * RDS cannot find from another region ("DBInstance ... not found",
 * aws/aws-cdk#28998, open; the workaround there is to set the source's full
 * ARN on the CloudFormation resource). CloudFormation takes a cross-region
 * replica as SourceDBInstanceIdentifier = the source's ARN, SourceRegion, and
 * KmsKeyId = a key in the replica's region (the primary is encrypted with the
 * RDS key of its own region, which cannot leave it).
 * @see https://github.com/aws/aws-cdk/issues/28998
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-sourcedbinstanceidentifier
 */
export class CrossRegionReplica extends Construct {
  public readonly instance: rds.CfnDBInstance;
  /** `host:port`, for the second region's shard map. */
  public readonly host: string;
  /** The replica as an RDS instance of this region, for its metrics (ReplicaLag, CPU, storage). */
  public readonly database: rds.IDatabaseInstance;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaProps) {
    super(scope, id);
    // The same account's primary, in the source region: the ARN is built here with that region's name.
    const sourceArn = Fn.join('', ['arn:', Aws.PARTITION, ':rds:', props.sourceRegion, ':', Aws.ACCOUNT_ID, ':db:', props.sourceIdentifier]);
    this.instance = new rds.CfnDBInstance(this, 'Resource', {
      sourceDbInstanceIdentifier: sourceArn,
      sourceRegion: props.sourceRegion,
      kmsKeyId: props.encryptionKey.keyArn,
      dbInstanceClass: props.instanceClass,
      dbSubnetGroupName: props.subnetGroup.subnetGroupName,
      dbParameterGroupName: props.parameterGroup.bindToInstance({}).parameterGroupName,
      vpcSecurityGroups: [props.securityGroup.securityGroupId],
      // The primaries' storage: gp3, growing as far as theirs (a full replica stops replicating).
      storageType: 'gp3',
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      publiclyAccessible: false,
      deletionProtection: true,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: props.encryptionKey.keyArn,
      enableCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      monitoringInterval: props.enhancedMonitoring.interval.toSeconds(),
      monitoringRoleArn: props.enhancedMonitoring.role.roleArn,
      caCertificateIdentifier: rds.CaCertificate.RDS_CA_RSA2048_G1.toString(),
      copyTagsToSnapshot: true,
    });
    // A replica takes no final snapshot; it is retained (after a failover it is the primary).
    this.instance.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    this.instance.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    this.host = `${this.instance.attrEndpointAddress}:${this.instance.attrEndpointPort}`;
    // As CDK's DatabaseInstance does for the home primaries (cloudwatchLogsRetention): its log-retention
    // function sets the retention of the log group RDS creates, making it first when it does not exist yet.
    for (const log of POSTGRES_LOG_EXPORTS) {
      new logs.LogRetention(this, `LogRetention${log}`, {
        logGroupName: `/aws/rds/instance/${this.instance.ref}/${log}`,
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      });
    }
    this.database = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Database', {
      instanceIdentifier: this.instance.ref,
      instanceEndpointAddress: this.instance.attrEndpointAddress,
      port: Token.asNumber(this.instance.attrEndpointPort),
      securityGroups: [props.securityGroup],
    });
  }
}
