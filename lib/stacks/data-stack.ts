import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { StageStack, type StageStackProps } from './stage-stack';

export interface DataStackProps extends StageStackProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
}

/**
 * `<app>-Data`: stateful resources only (RDS from stage 10, ElastiCache from
 * 100k, the SQS queue at 1m). Empty at stage 1, where PostgreSQL runs on the
 * instance; the CDK CLI skips deploying a stack without resources.
 */
export class DataStack extends StageStack {
  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
  }
}
