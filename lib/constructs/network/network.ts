import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HOME_VPC_CIDR } from '../../../stages/stage-spec';

export interface NetworkProps {
  /**
   * NAT gateways for the private-with-egress subnets (the fleet's). Zero while
   * only public (instance) and isolated (database) subnets are used.
   * @default 0
   */
  readonly natGateways?: number;
  /** Retention of the flow logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default HOME_VPC_CIDR (10.0.0.0/16) */
  readonly cidr?: string;
}

/**
 * The VPC of every stage: two AZs with public, private-with-egress and isolated
 * subnets. All three subnet groups exist from stage 1 with fixed CIDR masks, so
 * no subnet (and no database subnet group) is ever re-addressed or replaced
 * when a later stage starts using a group; only NAT routes are added.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? HOME_VPC_CIDR),
      maxAzs: 2,
      natGateways: props.natGateways ?? 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}
