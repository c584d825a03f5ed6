import { Aws, Duration, Fn, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** PostgreSQL listens here on every RDS instance. */
export const POSTGRES_PORT = 5432;

/** Storage of every primary and replica: gp3 costs what gp2 does per GiB, with at least 3,000 IOPS at any size (gp2: 3 per GiB). */
const STORAGE_TYPE = rds.StorageType.GP3;

/**
 * Every log RDS for PostgreSQL can export, from every instance (primaries and
 * replicas: the replicas take the SELECTs, so their slow queries are there).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html
 */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'];

/** Automatic rotation of the credentials secret. */
export interface CredentialRotationProps {
  /** Days between rotations. */
  readonly days: number;
  /** The rotation function's group: it may reach PostgreSQL and the Secrets Manager endpoint. */
  readonly securityGroup: ec2.ISecurityGroup;
}

export interface PostgresDatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Shared by every primary; it lists the isolated subnets. */
  readonly subnetGroup: rds.ISubnetGroup;
  readonly parameterGroup: rds.IParameterGroup;
  /** e.g. '16'; RDS then picks the newest minor version and keeps it patched. */
  readonly engineMajorVersion: string;
  /** RDS class, e.g. 'db.t4g.micro'. */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGiB: number;
  /** @default false */
  readonly multiAz?: boolean;
  /** At least 7. @default 7 */
  readonly backupRetentionDays?: number;
  /** @default 0 */
  readonly readReplicas?: number;
  /** Retention of the exported PostgreSQL log. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Enhanced Monitoring of the primary and its replicas, through this role. @default none */
  readonly enhancedMonitoring?: { readonly interval: Duration; readonly role: iam.IRole };
  /** @default the credentials are never rotated */
  readonly credentialRotation?: CredentialRotationProps;
  /**
   * Regions holding a Secrets Manager replica of the credentials secret (10m:
   * the second region, whose API reads them there, so they stay readable when
   * the home region is lost). Adding one updates the secret in place.
   * @default none
   */
  readonly secretReplicaRegions?: readonly string[];
}

/** The RDS instance class without its 'db.' prefix, as `ec2.InstanceType` expects it. */
function instanceType(instanceClass: string): ec2.InstanceType {
  if (!instanceClass.startsWith('db.')) throw new Error(`RDS instance class "${instanceClass}" must start with "db."`);
  return new ec2.InstanceType(instanceClass.slice(3));
}

/**
 * One RDS PostgreSQL primary with its credentials secret and read replicas.
 * Safe from the start: encrypted storage (fixed at creation, so it is never
 * turned on later), automated backups, deletion protection, a final snapshot on
 * removal, isolated subnets, TLS enforced by the parameter group, and
 * credentials generated into Secrets Manager (retained even if removed).
 */
export class PostgresDatabase extends Construct {
  public readonly instance: rds.DatabaseInstance;
  public readonly secret: rds.DatabaseSecret;
  public readonly replicas: rds.DatabaseInstanceReadReplica[] = [];
  /**
   * The primary's ARN written with the pseudo parameters, whatever the
   * stack's environment: what its same-region replicas name as their source.
   * CDK writes a literal region into `instanceArn` once a stack's region is
   * known (10m pins it), and a changed SourceDBInstanceIdentifier may replace
   * a replica, so the text stays the one every stage before wrote.
   */
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    if (backupRetentionDays < 7) throw new Error(`backupRetentionDays must be at least 7, got ${backupRetentionDays}`);
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(props.engineMajorVersion, props.engineMajorVersion),
    });

    this.secret = new rds.DatabaseSecret(this, 'Secret', {
      username: 'graminsta',
      // Each replica is encrypted with Secrets Manager's own key of its region, as the secret is in this one.
      replicaRegions: props.secretReplicaRegions?.map((region) => ({ region })),
    });
    this.secret.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // What the primary and every replica share: placement, gp3 storage with the same autoscaling ceiling (a replica
    // replays every write, so it must grow as far as its primary or, full, stop replicating), protection, logs and
    // monitoring.
    const everyInstance = {
      instanceType: instanceType(props.instanceClass),
      vpc: props.vpc,
      subnetGroup: props.subnetGroup,
      securityGroups: [props.securityGroup],
      parameterGroup: props.parameterGroup,
      storageType: STORAGE_TYPE,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      deletionProtection: true,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      // RDS for PostgreSQL supports Performance Insights on every instance class (the MySQL and MariaDB
      // engines lack it on the micro and small burstable ones); the free 7-day retention.
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html
      enablePerformanceInsights: true,
      cloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
      cloudwatchLogsRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      monitoringInterval: props.enhancedMonitoring?.interval,
      monitoringRole: props.enhancedMonitoring?.role,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    } satisfies Partial<rds.DatabaseInstanceProps & rds.DatabaseInstanceReadReplicaProps>;

    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      ...everyInstance,
      engine,
      port: POSTGRES_PORT,
      credentials: rds.Credentials.fromSecret(this.secret),
      databaseName: 'graminsta',
      storageEncrypted: true,
      allocatedStorage: props.allocatedStorageGiB,
      multiAz: props.multiAz ?? false,
      backupRetention: Duration.days(backupRetentionDays),
      removalPolicy: RemovalPolicy.SNAPSHOT,
      copyTagsToSnapshot: true,
    });

    this.arn = Fn.join('', ['arn:', Aws.PARTITION, ':rds:', Aws.REGION, ':', Aws.ACCOUNT_ID, ':db:', this.instance.instanceIdentifier]);

    if (props.credentialRotation) {
      // Single-user rotation by Secrets Manager's hosted PostgreSQL function, on the secret as attached to the
      // instance (host, port and dbname filled in). It sets a new password and makes it current at once; the API
      // re-reads the secret when PostgreSQL refuses its password (docs/configuration.md), and connections already
      // open stay open. Not at deploy time: the first rotation waits for the schedule, so a deploy never changes
      // the password under a runbook that has just read it.
      // CDK types the attached secret optional: an instance's credentials need not come from a secret.
      const attached = this.instance.secret;
      if (!attached) throw new Error('PostgresDatabase: the instance has no attached credentials secret to rotate');
      attached.addRotationSchedule('Rotation', {
        hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
          vpc: props.vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          securityGroups: [props.credentialRotation.securityGroup],
          // Several primaries share the stack: each function gets its own name, from its construct path.
          functionName: Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }),
        }),
        automaticallyAfter: Duration.days(props.credentialRotation.days),
        rotateImmediatelyOnUpdate: false,
      });
    }

    for (let i = 1; i <= (props.readReplicas ?? 0); i++) {
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${i}`, {
        ...everyInstance,
        sourceDatabaseInstance: this.instance,
        // The primary's storage type and ceiling, not CDK's replica default (gp2, fixed size). No allocatedStorage:
        // the replica is created at its primary's size, which autoscaling may have grown since. No storageEncrypted:
        // a replica inherits the (encrypted) primary's storage encryption.
        // A replica cannot take a final snapshot; it is a copy of the primary, retained rather than deleted.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const cfnReplica = replica.node.defaultChild;
      if (!(cfnReplica instanceof rds.CfnDBInstance)) throw new Error('PostgresDatabase: a replica has no CfnDBInstance');
      cfnReplica.sourceDbInstanceIdentifier = this.arn;
      this.replicas.push(replica);
    }
  }

  /** `host:port` of every read replica, for `DATABASE_REPLICA_HOSTS`. */
  public get replicaHosts(): string[] {
    return this.replicas.map((r) => `${r.dbInstanceEndpointAddress}:${r.dbInstanceEndpointPort}`);
  }
}
