import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface VpcPeeringProps {
  /** This region's VPC (the requester). */
  readonly vpc: ec2.IVpc;
  /** The home region's VPC ID (a cross-region reference). */
  readonly peerVpcId: string;
  readonly peerRegion: string;
  /** The home VPC's range, routed through the peering from this VPC's private subnets. */
  readonly peerCidr: string;
}

/**
 * Inter-region VPC peering from the second region's VPC to the home VPC, and
 * this side's routes: a write the second region's API forwards reaches the
 * home region's internal load balancer over the AWS backbone (inter-region
 * peering traffic is encrypted by AWS), without a public address. Both VPCs
 * are in the stacks' account, so CloudFormation accepts the peering itself
 * (no PeerRoleArn). The home side's routes live in a home-region stack
 * (`PeeringRoutes`), because a stack creates resources only in its own region.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpcpeeringconnection.html
 */
export class VpcPeering extends Construct {
  public readonly connection: ec2.CfnVPCPeeringConnection;

  constructor(scope: Construct, id: string, props: VpcPeeringProps) {
    super(scope, id);
    this.connection = new ec2.CfnVPCPeeringConnection(this, 'Resource', {
      vpcId: props.vpc.vpcId,
      peerVpcId: props.peerVpcId,
      peerRegion: props.peerRegion,
    });
    new PeeringRoutes(this, 'Routes', { vpc: props.vpc, peeringConnectionId: this.connection.ref, destinationCidr: props.peerCidr });
  }
}

export interface PeeringRoutesProps {
  readonly vpc: ec2.IVpc;
  readonly peeringConnectionId: string;
  /** The other VPC's range. */
  readonly destinationCidr: string;
}

/** Routes to the other region's VPC through the peering, from every private subnet (the fleet's and the databases'). */
export class PeeringRoutes extends Construct {
  constructor(scope: Construct, id: string, props: PeeringRoutesProps) {
    super(scope, id);
    const subnets = [...props.vpc.privateSubnets, ...props.vpc.isolatedSubnets];
    subnets.forEach((subnet, i) => {
      new ec2.CfnRoute(this, `Route${i}`, {
        routeTableId: subnet.routeTable.routeTableId,
        destinationCidrBlock: props.destinationCidr,
        vpcPeeringConnectionId: props.peeringConnectionId,
      });
    });
  }
}
