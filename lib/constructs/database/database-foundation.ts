import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface DatabaseFoundationProps {
  readonly vpc: ec2.IVpc;
  readonly engineMajorVersion: string;
}

/**
 * What every primary shares: the subnet group (isolated subnets: a database is
 * never reachable from the internet, and the group's subnets are fixed from
 * stage 10 on, since moving a database between subnet groups replaces it) and
 * the parameter group (TLS required for every connection).
 */
export class DatabaseFoundation extends Construct {
  public readonly subnetGroup: rds.SubnetGroup;
  public readonly parameterGroup: rds.ParameterGroup;

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
  }
}
