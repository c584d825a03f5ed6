import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantsOnlyForAwsResources } from './grants-only-for-aws-resources';

/**
 * The stage's one customer-managed KMS key, for what the app writes about
 * itself: every CloudWatch Logs log group of the templates (`EncryptLogGroups`)
 * and the SNS alarm topic. Yearly automatic rotation; retained when removed
 * (deleting it would make every log encrypted under it unreadable).
 *
 * Its policy lets the account administer and use it (CDK's default statement),
 * CloudWatch Logs use it for this account's log groups in this region, and
 * CloudWatch alarms publish to a topic encrypted with it; it refuses grants
 * except those AWS services create for AWS resources.
 *
 * Frozen construct ID: `TelemetryKey` (the key is stateful).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export class TelemetryKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Resource', {
      description: 'Graminsta: CloudWatch Logs log groups and the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsUseForThisAccountsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    // AWS Control Tower CT.KMS.PR.3: grants only for AWS resources, made by AWS services.
    this.key.addToResourcePolicy(grantsOnlyForAwsResources());
  }
}
