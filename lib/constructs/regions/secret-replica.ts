import { Aws, Fn, Stack } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretArnOf } from './cross-region-values';

/**
 * The ARN of `secret`'s Secrets Manager replica in `region` (10m): the
 * secret's own ARN with the region swapped. Secrets Manager keeps the name and
 * its six-character suffix in every replica ("The ARN for a replicated secret
 * is the same as the primary secret except for the Region").
 *
 * Written in the secret's own stack: it splits the secret's `Ref`, and no
 * stack may split another stack's value (`Fn::GetStackOutput` is documented
 * only inside Join, Select, If, Sub and Base64; `npm run check:templates`).
 * The stack publishes it as an output and the other region reads that output
 * whole (`readReplicaSecretArn`).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
 */
export function replicaSecretArn(secret: secretsmanager.ISecret, region: string): string {
  // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>; a name holds no colon.
  const nameWithSuffix = Fn.select(6, Fn.split(':', secretArnOf(secret)));
  return Fn.join('', ['arn:', Aws.PARTITION, ':secretsmanager:', region, ':', Aws.ACCOUNT_ID, ':secret:', nameWithSuffix]);
}

/**
 * Another region's stack reading `output` of `producer` (which holds a
 * `replicaSecretArn`): a cross-region `Fn::GetStackOutput` written by hand,
 * because CDK would rebuild the Join in the consumer and split the reference
 * there. CDK does not track it: the caller adds the stack dependency.
 */
export function readReplicaSecretArn(producer: Stack, output: string): string {
  return Fn.getStackOutput(producer.stackName, output, producer.region);
}
