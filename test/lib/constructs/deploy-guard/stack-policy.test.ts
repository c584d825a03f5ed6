import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeployGuard } from '../../../../lib/constructs/deploy-guard/deploy-guard';
import { StackPolicy } from '../../../../lib/constructs/deploy-guard/stack-policy';

type Resources = Record<string, { Type: string; DependsOn?: string[]; Properties?: Record<string, any> }>;

/**
 * A stack with retained stateful resources (a bucket, a log group), two snapshotted databases
 * (one with deletion protection), a log group CloudFormation deletes, a stateless topic, the
 * guard and the policy.
 */
function policedStack(): Resources {
  const app = new App();
  const stack = new Stack(app, 'graminsta-Data', { env: { account: '123456789012', region: 'eu-west-1' } });
  new s3.Bucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN });
  new StackPolicy(stack, 'StackPolicy', { guard: new DeployGuard(stack, 'DeployGuard', { stage: '10' }) });
  // Added after the policy: the body is computed once the stack is complete.
  new logs.LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.RETAIN });
  new sns.Topic(stack, 'Alarms');
  new logs.LogGroup(stack, 'Scratch', { removalPolicy: RemovalPolicy.DESTROY });
  const database = (id: string, deletionProtection: boolean) =>
    new rds.CfnDBInstance(stack, id, { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', storageEncrypted: true, deletionProtection }).applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
  database('Protected', true);
  database('Unprotected', false);
  return Template.fromStack(stack).toJSON().Resources;
}

const idsOfType = (resources: Resources, type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);

describe('StackPolicy', () => {
  const denied = (resources: Resources, action: string): string[] =>
    JSON.parse(resources.StackPolicy.Properties!.PolicyBody)
      .Statement.filter((s: { Effect: string; Action: string }) => s.Effect === 'Deny' && s.Action === action)
      .flatMap((s: { Resource: string[] }) => s.Resource.map((r) => r.replace('LogicalResourceId/', '')));

  test('denies replacing every stateful resource of the stack, those added after it included, and nothing stateless', () => {
    const resources = policedStack();
    expect(resources.StackPolicy.Type).toBe('Custom::StackPolicy');
    const stateful = [...idsOfType(resources, 'AWS::S3::Bucket'), ...idsOfType(resources, 'AWS::Logs::LogGroup'), ...idsOfType(resources, 'AWS::RDS::DBInstance')].sort();
    // The guard's own log group is stateful too.
    expect(stateful).toHaveLength(6);
    expect(denied(resources, 'Update:Replace')).toEqual(stateful);
  });

  test('denies deleting only what CloudFormation would delete: not retained, and no deletion protection of its own', () => {
    const resources = policedStack();
    const scratch = idsOfType(resources, 'AWS::Logs::LogGroup').filter((id) => id.startsWith('Scratch'));
    expect(scratch).toHaveLength(1);
    // Not the bucket, the retained log groups or the protected database.
    expect(denied(resources, 'Update:Delete')).toEqual([scratch[0], 'Unprotected'].sort());
  });

  test('is served by the guard\'s function, waits for the guard, and may set the policy of its own stack only', () => {
    const resources = policedStack();
    const [guardId] = idsOfType(resources, 'Custom::DeployGuard');
    const [functionId] = idsOfType(resources, 'AWS::Lambda::Function').filter((id) => id.startsWith('DeployGuard'));
    expect(resources.StackPolicy.Properties!.ServiceToken).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(resources.StackPolicy.DependsOn).toEqual([guardId]);
    const statements = idsOfType(resources, 'AWS::IAM::Policy').flatMap((id) => resources[id].Properties!.PolicyDocument.Statement);
    expect(statements.filter((s: { Action: string }) => s.Action === 'cloudformation:SetStackPolicy')).toEqual([
      { Action: 'cloudformation:SetStackPolicy', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
    ]);
  });
});
