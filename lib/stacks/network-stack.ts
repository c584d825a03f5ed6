import type { Construct } from 'constructs';
import { API_PORT } from '../constructs/api-delivery/api-port';
import { Network } from '../constructs/network/network';
import { SecurityGroups } from '../constructs/network/security-groups';
import { retentionDays } from './retention';
import { StageStack, type StageStackProps } from './stage-stack';

/** `<app>-Network`: the VPC, its flow logs and every security group. */
export class NetworkStack extends StageStack {
  public readonly network: Network;
  public readonly securityGroups: SecurityGroups;

  constructor(scope: Construct, id: string, props: StageStackProps) {
    super(scope, id, props);
    const { spec } = props;
    this.network = new Network(this, 'Network', {
      natGateways: spec.network.natGateways,
      flowLogRetention: retentionDays(spec.monitoring.logRetentionDays),
    });
    this.securityGroups = new SecurityGroups(this, 'SecurityGroups', {
      vpc: this.network.vpc,
      apiPort: API_PORT,
      loadBalancer: spec.compute.kind === 'fleet',
      database: spec.database.kind === 'rds',
      cache: spec.cache !== undefined,
    });
  }
}
