import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';

/**
 * Values another region's stack may read (10m). CDK refuses an L2's
 * `secretArn`, `bucketArn` or `instanceIdentifier` in a stack of another
 * environment unless the resource has a physical name (it would build the ARN
 * from the name), and ours have generated names on purpose. The L1 resource's
 * own `Ref` and attributes are plain references, which CDK turns into a
 * cross-region `Fn::GetStackOutput` of the producer (lib/weak-references.ts).
 */
function cfn<T>(construct: IConstruct, type: new (...args: never[]) => T, what: string): T {
  const child = construct.node.defaultChild;
  if (!(child instanceof type)) throw new Error(`${construct.node.path} has no ${what}`);
  return child;
}

/** A secret's ARN (`Ref` of AWS::SecretsManager::Secret). */
export function secretArnOf(secret: secretsmanager.ISecret): string {
  return cfn(secret, secretsmanager.CfnSecret, 'CfnSecret').ref;
}

/** An RDS instance's identifier (`Ref` of AWS::RDS::DBInstance). */
export function instanceIdentifierOf(instance: rds.IDatabaseInstance): string {
  return cfn(instance, rds.CfnDBInstance, 'CfnDBInstance').ref;
}

/** A bucket's name, ARN and regional domain name. */
export function bucketValuesOf(bucket: s3.IBucket): { readonly bucketName: string; readonly bucketArn: string; readonly bucketRegionalDomainName: string } {
  const resource = cfn(bucket, s3.CfnBucket, 'CfnBucket');
  return { bucketName: resource.ref, bucketArn: resource.attrArn, bucketRegionalDomainName: resource.attrRegionalDomainName };
}
