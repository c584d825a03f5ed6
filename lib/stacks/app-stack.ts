import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { StageStack, type StageStackProps } from './stage-stack';

export interface AppStackProps extends StageStackProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
}

/** `<app>-App`: the API compute, the buckets, CloudFront and the Lambda functions. */
export class AppStack extends StageStack {
  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
  }
}
