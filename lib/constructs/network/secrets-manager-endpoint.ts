import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface SecretsManagerEndpointProps {
  readonly vpc: ec2.IVpc;
  /** Admits HTTPS from the API and the credential rotation function (SecurityGroups). */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * An interface endpoint for Secrets Manager in the isolated subnets of both
 * AZs, with private DNS: the credential rotation function, which runs there
 * beside the database, reaches Secrets Manager without a NAT gateway (stages
 * 10 and 100 have none), and so do the API instances, whose calls resolve to
 * it as well. One network interface per AZ, so losing an AZ leaves the other
 * one's calls working.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html
 */
export class SecretsManagerEndpoint extends Construct {
  public readonly endpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: SecretsManagerEndpointProps) {
    super(scope, id);
    this.endpoint = new ec2.InterfaceVpcEndpoint(this, 'Resource', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      privateDnsEnabled: true,
      securityGroups: [props.securityGroup],
      // Who may connect is decided by the security group's rules, in SecurityGroups.
      open: false,
    });
  }
}
