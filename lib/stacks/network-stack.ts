import { Aspects, type Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_PORT } from '../constructs/compute';
import { EncryptLogGroups } from '../constructs/encryption/encrypt-log-groups';
import { TelemetryKey } from '../constructs/encryption/telemetry-key';
import { Network } from '../constructs/network/network';
import { SecretsManagerEndpoint } from '../constructs/network/secrets-manager-endpoint';
import { SecurityGroups } from '../constructs/network/security-groups';
import { retentionDays } from './retention';
import { StageStack, type StageStackProps } from './stage-stack';

export interface NetworkStackProps extends StageStackProps {
  /** 10m: the second VPC's range, whose API forwards writes to the load balancer. @default one region */
  readonly twoRegions?: { readonly secondVpcCidr: string };
}

/**
 * `<app>-Network`: the VPC, its flow logs, every security group, the Secrets
 * Manager endpoint (with RDS) and the stage's KMS key for logs and alarms
 * (here because this stack deploys first and every other one uses it).
 */
export class NetworkStack extends StageStack {
  public readonly network: Network;
  public readonly securityGroups: SecurityGroups;
  /** Encrypts every log group of the four stacks (`EncryptLogGroups`) and the alarm topic. */
  public readonly telemetryKey: TelemetryKey;
  /** With RDS. */
  public readonly secretsManagerEndpoint?: SecretsManagerEndpoint;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { spec } = props;
    this.telemetryKey = new TelemetryKey(this, 'TelemetryKey');
    this.network = new Network(this, 'Network', {
      natGateways: spec.network.natGateways,
      logRetention: retentionDays(spec.monitoring.logRetentionDays),
    });
    this.securityGroups = new SecurityGroups(this, 'SecurityGroups', {
      vpc: this.network.vpc,
      apiPort: API_PORT,
      loadBalancer: spec.compute.kind === 'fleet',
      database: spec.database.kind === 'rds',
      cache: spec.cache !== undefined,
      peerVpcCidr: props.twoRegions?.secondVpcCidr,
    });
    if (this.securityGroups.secretsManagerEndpoint) {
      this.secretsManagerEndpoint = new SecretsManagerEndpoint(this, 'SecretsManagerEndpoint', {
        vpc: this.network.vpc,
        securityGroup: this.securityGroups.secretsManagerEndpoint,
      });
    }
  }

  /** Encrypts every log group of `stack` (this one or another of the stage's, in this region) with the telemetry key. */
  public encryptLogGroupsOf(stack: Stack): void {
    Aspects.of(stack).add(new EncryptLogGroups(this.telemetryKey.key));
  }
}
