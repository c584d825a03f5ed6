import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * AWS Control Tower CT.KMS.PR.3 on a customer-managed key: kms:CreateGrant is
 * denied unless the grant is for an AWS resource or made by an AWS service (RDS,
 * CloudWatch Logs make their own). Every key of the app carries it.
 */
export function grantsOnlyForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}
