import { Aspects, type Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { HOME_VPC_CIDR, type SecondRegionSpec } from '../../stages/stage-spec';
import { API_PORT } from '../constructs/compute';
import { EncryptLogGroups } from '../constructs/encryption/encrypt-log-groups';
import { TelemetryKey } from '../constructs/encryption/telemetry-key';
import { Network } from '../constructs/network/network';
import { SecurityGroups } from '../constructs/network/security-groups';
import { VpcPeering } from '../constructs/regions/vpc-peering';
import { retentionDays } from './retention';
import { StageStack, type StageStackProps } from './stage-stack';

export interface SecondRegionNetworkStackProps extends StageStackProps {
  readonly second: SecondRegionSpec;
  /** The home VPC (a cross-region reference: CDK writes it as Fn::GetStackOutput with the home region). */
  readonly homeVpc: ec2.IVpc;
  readonly homeRegion: string;
}

/**
 * `<app>-<region>-Network` (10m): the second region's VPC (a range apart from
 * the home VPC's), peered with the home VPC and routed to it, its security
 * groups and its own KMS key for logs (keys are regional).
 */
export class SecondRegionNetworkStack extends StageStack {
  public readonly network: Network;
  public readonly securityGroups: SecurityGroups;
  public readonly telemetryKey: TelemetryKey;
  public readonly peering: VpcPeering;

  constructor(scope: Construct, id: string, props: SecondRegionNetworkStackProps) {
    super(scope, id, props);
    const { spec, second } = props;
    this.telemetryKey = new TelemetryKey(this, 'TelemetryKey');
    this.network = new Network(this, 'Network', {
      cidr: second.vpcCidr,
      natGateways: second.natGateways,
      logRetention: retentionDays(spec.monitoring.logRetentionDays),
    });
    this.securityGroups = new SecurityGroups(this, 'SecurityGroups', {
      vpc: this.network.vpc,
      apiPort: API_PORT,
      loadBalancer: true,
      database: true,
      cache: true,
      credentialRotation: false,
      peerVpcCidr: HOME_VPC_CIDR,
    });
    this.peering = new VpcPeering(this, 'Peering', {
      vpc: this.network.vpc,
      peerVpcId: props.homeVpc.vpcId,
      peerRegion: props.homeRegion,
      peerCidr: HOME_VPC_CIDR,
    });
  }

  /** Encrypts every log group of `stack` (one of this region's) with this region's telemetry key. */
  public encryptLogGroupsOf(stack: Stack): void {
    Aspects.of(stack).add(new EncryptLogGroups(this.telemetryKey.key));
  }
}
