import { App, Aspects, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeployGuard } from '../../../../lib/constructs/deploy-guard/deploy-guard';
import { EncryptLogGroups } from '../../../../lib/constructs/encryption/encrypt-log-groups';

/** A stack shaped like ours: a KMS key every log group is encrypted with, stateful resources, the guard. */
function guardedStack(confirm?: string): Record<string, { Type: string; DependsOn?: string[]; Properties?: Record<string, unknown> }> {
  const app = new App();
  const stack = new Stack(app, 'graminsta-Data', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { removalPolicy: RemovalPolicy.RETAIN });
  Aspects.of(stack).add(new EncryptLogGroups(key));
  new s3.Bucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN });
  new logs.LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.RETAIN });
  new DeployGuard(stack, 'DeployGuard', { stage: '10', confirm });
  return Template.fromStack(stack).toJSON().Resources;
}

/** Resource → resources it needs first (DependsOn, Ref, Fn::GetAtt). */
function edges(resources: ReturnType<typeof guardedStack>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (value: unknown, into: Set<string>): void => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, into));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
        else if (k === 'Fn::GetAtt' && Array.isArray(v) && v[0] in resources) into.add(v[0] as string);
        else walk(v, into);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const needs = new Set<string>(resource.DependsOn ?? []);
    walk(resource.Properties, needs);
    graph.set(id, needs);
  }
  return graph;
}

function hasCycle(graph: Map<string, Set<string>>): boolean {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string): boolean => {
    if (state.get(node) === 'done') return false;
    if (state.get(node) === 'visiting') return true;
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) if (visit(next)) return true;
    state.set(node, 'done');
    return false;
  };
  return [...graph.keys()].some(visit);
}

describe('DeployGuard', () => {
  const resources = guardedStack();
  const guardId = Object.keys(resources).find((id) => resources[id].Type === 'Custom::DeployGuard')!;

  test('records the stage, the ladder and every runbook step as its properties', () => {
    expect(resources[guardId].Properties).toMatchObject({
      StackLabel: 'graminsta-Data',
      Stage: '10',
      Confirm: '',
      Ladder: ['1', '10', '100', '1k', '10k', '100k', '1m', '10m'],
      RunbookSteps: [
        { runbook: '1-to-10', from: '1', to: '10', file: 'docs/runbooks/1-to-10.md' },
        { runbook: '100-to-1k', from: '100', to: '1k', file: 'docs/runbooks/100-to-1k.md' },
        { runbook: '100k-to-1m', from: '100k', to: '1m', file: 'docs/runbooks/100k-to-1m.md' },
        { runbook: '1m-to-10m', from: '1m', to: '10m', file: 'docs/runbooks/1m-to-10m.md' },
      ],
    });
    expect(guardedStack('1-to-10')[guardId].Properties).toMatchObject({ Confirm: '1-to-10' });
  });

  test('every resource but its own and the KMS key waits for it, and nothing waits in a cycle', () => {
    // What the guard itself needs, transitively: those cannot wait for it.
    const graph = edges(resources);
    const own = new Set([guardId]);
    for (const pending = [guardId]; pending.length > 0; ) for (const dep of graph.get(pending.pop()!) ?? []) if (!own.has(dep)) own.add(dep), pending.push(dep);
    const waiting = Object.keys(resources).filter((id) => !own.has(id));
    expect(waiting.map((id) => resources[id].Type).sort()).toEqual(['AWS::Logs::LogGroup', 'AWS::S3::Bucket']);
    for (const id of waiting) expect({ id, dependsOn: resources[id].DependsOn }).toEqual({ id, dependsOn: expect.arrayContaining([guardId]) });
    expect([...own].map((id) => resources[id].Type).sort()).toEqual(
      ['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'Custom::DeployGuard'].sort(),
    );
    expect(hasCycle(edges(resources))).toBe(false);
  });

  test('its function may read only its own stack, to know whether CloudFormation is rolling it back', () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy')!;
    expect(JSON.stringify(policy.Properties)).toContain('"Action":"cloudformation:DescribeStacks","Effect":"Allow","Resource":{"Ref":"AWS::StackId"}');
  });
});
