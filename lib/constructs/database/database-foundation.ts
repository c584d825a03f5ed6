import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface DatabaseFoundationProps {
  readonly vpc: ec2.IVpc;
  readonly engineMajorVersion: string;
}

/**
 * What every primary shares: the subnet group (isolated subnets: a database is
 * never reachable from the internet, and the group's subnets are fixed from
 * stage 10 on, since moving a database between subnet groups replaces it),
 * the parameter group (TLS required for every connection) and the role RDS
 * Enhanced Monitoring uses to write OS metrics to CloudWatch Logs.
 */
export class DatabaseFoundation extends Construct {
  public readonly subnetGroup: rds.SubnetGroup;
  public readonly parameterGroup: rds.ParameterGroup;
  /** Assumed by RDS (monitoring.rds.amazonaws.com) for this account's instances only. */
  public readonly monitoringRole: iam.Role;

  constructor(scope: Construct, id: string, props: DatabaseFoundationProps) {
    super(scope, id);
    this.subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      description: 'Graminsta databases (isolated subnets)',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({
        version: rds.PostgresEngineVersion.of(props.engineMajorVersion, props.engineMajorVersion),
      }),
      description: 'Graminsta PostgreSQL: TLS only, slow-query log',
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '500',
      },
    });
    // The AWS-maintained policy is scoped to the RDSOSMetrics log group; the condition keeps another
    // account's RDS from using this role (the confused-deputy guard RDS documents).
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html
    this.monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
      description: 'RDS Enhanced Monitoring of the Graminsta databases',
    });
  }
}
