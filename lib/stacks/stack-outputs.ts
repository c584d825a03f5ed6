import { CfnOutput, type Stack } from 'aws-cdk-lib';

/**
 * The stack outputs an operator reads: `cdk deploy` prints them, `aws
 * cloudformation describe-stacks --stack-name <stack> --query
 * 'Stacks[0].Outputs'` lists them later, and the runbooks name them instead
 * of "the physical ID of …". Each output reads a resource of its own stack
 * only, so none of them is a cross-stack reference (lib/weak-references.ts
 * handles those, through outputs CDK generates itself).
 *
 * One home for their names and meanings: the stacks, the README and the
 * runbooks (checked by test/lib/stacks/stack-outputs.test.ts) use these.
 */
export const STACK_OUTPUTS = {
  AppUrl: 'The app: open this URL in a browser (the CloudFront distribution, or https://<domainName>)',
  DistributionId: 'The CloudFront distribution in front of the app',
  OriginSecretArn: 'The secret CloudFront sends to the API (docs/runbooks/rotate-origin-secret.md)',
  OriginSecretReplicaArn: "10m: the origin secret's replica in the second region, which that region's API reads",
  InstanceId: 'The API instance (stages 1-100): aws ssm start-session --target <InstanceId>',
  DataVolumeId: 'The instance data volume (stages 1-100: PostgreSQL at stage 1, and photos)',
  AutoScalingGroupName: 'The API fleet (from 1k)',
  TargetGroupArn: "The load balancer's target group of the API fleet (from 1k)",
  UploadsBucketName: 'The bucket holding the photos (from 1k)',
  DatabaseSecretArn: "The database's credentials in Secrets Manager (from 10): aws secretsmanager get-secret-value --secret-id <DatabaseSecretArn>",
  DatabaseInstanceId: 'The RDS instance identifier (from 10)',
  DatabaseSecretReplicaArn: "10m: the database credentials' replica in the second region, which that region's shard map names",
  CacheReplicationGroupId: 'The ElastiCache replication group (from 100k)',
  ShardMapParameterName: 'The SSM parameter holding the shard map (1m)',
  RegionConfigParameterName: "The SSM parameter holding this region's copy of the region configuration (10m; npm run failover rewrites it)",
  AlarmTopicArn: 'The SNS topic every alarm notifies; subscribe to it with -c alarmEmail=<address>, or aws sns subscribe',
  DashboardName: 'The CloudWatch dashboard of this stage',
} as const;

export type StackOutputName = keyof typeof STACK_OUTPUTS;

/**
 * Adds the output `name` (with `prefix`, for one of several: `Shard1DatabaseSecretArn`)
 * to `stack`, described as STACK_OUTPUTS says.
 */
export function addStackOutput(stack: Stack, name: StackOutputName, value: string, prefix = ''): CfnOutput {
  const description = prefix ? `${STACK_OUTPUTS[name]} [${prefix}]` : STACK_OUTPUTS[name];
  return new CfnOutput(stack, `${prefix}${name}`, { value, description });
}
