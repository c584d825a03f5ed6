import type { IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/**
 * Encrypts every log group it visits with `key`: ours and the ones CDK adds
 * for its own helper functions (the prefix-list lookup's), so no log group of
 * a template is left on CloudWatch Logs' service keys. A log group that names
 * a key already keeps it. Associating a key with an existing log group is an
 * in-place update (`KmsKeyId` is not create-only in the registry schema);
 * CloudWatch Logs encrypts what arrives from then on.
 *
 * Log groups that AWS services create outside the templates (RDS's exported
 * logs and `RDSOSMetrics`, Lambda's `/aws/lambda/...` of CDK's singleton
 * helpers) are not visited: docs/infrastructure.md lists them.
 */
export class EncryptLogGroups implements IAspect {
  constructor(private readonly key: kms.IKey) {}

  public visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.key.keyArn;
  }
}
