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
 * A protected stack (graminsta-Data) with retained stateful resources (a bucket, a log group),
 * two snapshotted databases (one with deletion protection), a log group CloudFormation deletes
 * and a stateless topic; and a second stack (graminsta-Monitoring) whose guard's function sets
 * the first one's policy through a StackPolicy resource.
 */
function policedStacks(): { data: Resources; monitoring: Resources; app: App; dataStack: Stack; monitoringStack: Stack } {
  const app = new App();
  const env = { account: '123456789012', region: 'eu-west-1' };
  const dataStack = new Stack(app, 'graminsta-Data', { env });
  const monitoringStack = new Stack(app, 'graminsta-Monitoring', { env });
  new s3.Bucket(dataStack, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN });
  new DeployGuard(dataStack, 'DeployGuard', { stage: '10' });
  new StackPolicy(monitoringStack, 'DataStackPolicy', { guard: new DeployGuard(monitoringStack, 'DeployGuard', { stage: '10' }), target: dataStack, logicalIdPrefix: 'Data' });
  // Added after the policy: the body is computed once the app is complete.
  new logs.LogGroup(dataStack, 'Logs', { removalPolicy: RemovalPolicy.RETAIN });
  new sns.Topic(dataStack, 'Alarms');
  new logs.LogGroup(dataStack, 'Scratch', { removalPolicy: RemovalPolicy.DESTROY });
  const database = (id: string, deletionProtection: boolean) =>
    new rds.CfnDBInstance(dataStack, id, { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', storageEncrypted: true, deletionProtection }).applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
  database('Protected', true);
  database('Unprotected', false);
  return { data: Template.fromStack(dataStack).toJSON().Resources, monitoring: Template.fromStack(monitoringStack).toJSON().Resources, app, dataStack, monitoringStack };
}

const idsOfType = (resources: Resources, type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);

describe('StackPolicy', () => {
  const denied = (resources: Resources, action: string): string[] =>
    JSON.parse(resources.DataStackPolicy.Properties!.PolicyBody)
      .Statement.filter((s: { Effect: string; Action: string }) => s.Effect === 'Deny' && s.Action === action)
      .flatMap((s: { Resource: string[] }) => s.Resource.map((r) => r.replace('LogicalResourceId/', '')));

  test('denies replacing every stateful resource of the target stack, those added after it included, and nothing stateless', () => {
    const { data, monitoring } = policedStacks();
    expect(monitoring.DataStackPolicy.Type).toBe('Custom::StackPolicy');
    expect(monitoring.DataStackPolicy.Properties!.StackName).toBe('graminsta-Data');
    const stateful = [...idsOfType(data, 'AWS::S3::Bucket'), ...idsOfType(data, 'AWS::Logs::LogGroup'), ...idsOfType(data, 'AWS::RDS::DBInstance')].sort();
    // The guard's own log group is stateful too.
    expect(stateful).toHaveLength(6);
    expect(denied(monitoring, 'Update:Replace')).toEqual(stateful);
  });

  test('denies deleting only what CloudFormation would delete: not retained, and no deletion protection of its own', () => {
    const { data, monitoring } = policedStacks();
    const scratch = idsOfType(data, 'AWS::Logs::LogGroup').filter((id) => id.startsWith('Scratch'));
    expect(scratch).toHaveLength(1);
    // Not the bucket, the retained log groups or the protected database.
    expect(denied(monitoring, 'Update:Delete')).toEqual([scratch[0], 'Unprotected'].sort());
  });

  test('lives outside the protected stack: served by the other stack\'s guard, waits for that guard, and that stack deploys after the target', () => {
    const { data, monitoring, dataStack, monitoringStack } = policedStacks();
    expect(idsOfType(data, 'Custom::StackPolicy')).toEqual([]);
    const [guardId] = idsOfType(monitoring, 'Custom::DeployGuard');
    const [functionId] = idsOfType(monitoring, 'AWS::Lambda::Function').filter((id) => id.startsWith('DeployGuard'));
    expect(monitoring.DataStackPolicy.Properties!.ServiceToken).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(monitoring.DataStackPolicy.DependsOn).toEqual([guardId]);
    expect(monitoringStack.dependencies).toEqual([dataStack]);
  });

  test('its guard may set the target stack\'s policy only (by name, any stack ID), and the target\'s own guard may set none', () => {
    const { data, monitoring } = policedStacks();
    const setters = (resources: Resources) =>
      idsOfType(resources, 'AWS::IAM::Policy')
        .flatMap((id) => resources[id].Properties!.PolicyDocument.Statement)
        .filter((s: { Action: string }) => s.Action === 'cloudformation:SetStackPolicy');
    expect(setters(monitoring)).toEqual([
      {
        Action: 'cloudformation:SetStackPolicy',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:eu-west-1:123456789012:stack/graminsta-Data/*']] },
      },
    ]);
    expect(setters(data)).toEqual([]);
  });

  test('refuses to set its own stack\'s policy, or to be served by another stack\'s guard', () => {
    const app = new App();
    const stack = new Stack(app, 'graminsta-Data');
    const other = new Stack(app, 'graminsta-Monitoring');
    expect(() => new StackPolicy(stack, 'Own', { guard: new DeployGuard(stack, 'DeployGuard', { stage: '1' }), target: stack, logicalIdPrefix: 'Data' })).toThrow(
      "graminsta-Data: a StackPolicy sets another stack's policy, never its own (SetStackPolicy during the stack's own update is undocumented)",
    );
    expect(() => new StackPolicy(other, 'Foreign', { guard: new DeployGuard(new Stack(app, 'graminsta-App'), 'DeployGuard', { stage: '1' }), target: stack, logicalIdPrefix: 'Data' })).toThrow(
      "graminsta-Monitoring: the StackPolicy's guard must be this stack's deploy guard",
    );
  });
});
