/**
 * The stack policy in each stage's templates (lib/constructs/deploy-guard/stack-policy.ts): the
 * Monitoring stack sets, for Network, Data and App, a policy that denies replacing each of their
 * stateful resources and deleting those CloudFormation would really delete; no runbook path (a step up the guard lets through, or a runbook's
 * rollback down) is refused by it, so no runbook has to lift it; a step down no runbook covers
 * that would delete the cache is.
 */
import { decide, downgradeConfirmation } from '../../../lambda/deploy-guard/decision';
import { isStatefulType } from '../../../lib/resource-spec';
import { RUNBOOKS, plannedChangesBetween } from '../../../lib/transitions';
import { diffStack } from '../../../tools/review/stack-diff';
import { policyBodyFor, stackPoliciesSet, stackPolicyRefusal } from '../../boot/support/stack-policy-stand-in';
import { STAGE_NAMES, stageIndex, type StageName } from '../../../stages/ladder';
import { ALL_STAGES, STACKS, constructPath, templateJson, type StackKind } from './stage-templates';

/** The stacks with a stack policy; Monitoring sets it (and has none itself). */
const PROTECTED = ['Network', 'Data', 'App'] as const satisfies readonly StackKind[];

/** The policy body the stage's Monitoring template sets on the stack. */
function policyBody(stage: StageName, stack: StackKind): string | undefined {
  return policyBodyFor(templateJson(stage, 'Monitoring'), `graminsta-${stack}`);
}

/** Logical IDs the stack's policy denies an action on. */
function denied(stage: StageName, stack: StackKind, action: string): string[] {
  const body = JSON.parse(policyBody(stage, stack) ?? '{"Statement": []}') as { Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[] };
  return body.Statement.filter((s) => s.Effect === 'Deny' && ([] as string[]).concat(s.Action).includes(action)).flatMap((s) => ([] as string[]).concat(s.Resource).map((r) => r.replace(/^LogicalResourceId\//, '')));
}

/** The confirmation a deploy from `from` to `to` carries when a runbook allows it at all (undefined: none needed, or never allowed). */
function confirmationFor(from: StageName, to: StageName): string | undefined {
  if (stageIndex(to) < stageIndex(from)) return downgradeConfirmation(from, to);
  return RUNBOOKS.find((runbook) => runbook.steps.some(([a, b]) => stageIndex(from) <= stageIndex(a) && stageIndex(b) <= stageIndex(to)))?.id;
}

const ladder = [...STAGE_NAMES];
const runbookSteps = RUNBOOKS.flatMap((runbook) => runbook.steps.map(([from, to]) => ({ runbook: runbook.id, from, to, file: runbook.file })));

/** Every (from, to) pair of different stages the deploy guard lets through with the runbook's confirmation. */
const GUARDED_PAIRS = ALL_STAGES.flatMap((from) => ALL_STAGES.filter((to) => to !== from).map((to) => [from, to] as const)).filter(
  ([from, to]) => decide({ stack: 'x', from, to, confirm: confirmationFor(from, to), ladder, runbookSteps }).allowed,
);
/** The runbook paths: every step up the guard lets through, and each runbook's rollback (its step reversed). */
const RUNBOOK_PATHS = [
  ...GUARDED_PAIRS.filter(([from, to]) => stageIndex(from) < stageIndex(to)),
  ...runbookSteps.map(({ from, to }) => [to, from] as const),
];

/**
 * What the policies in force refuse in a deploy of every stack from `from` to `to`: those the
 * `from` stage's Monitoring set (Monitoring deploys last, after the stacks it protects).
 */
function refusals(from: StageName, to: StageName): string[] {
  const planned = plannedChangesBetween(stageIndex(from) < stageIndex(to) ? from : to, stageIndex(from) < stageIndex(to) ? to : from);
  const refused: string[] = [];
  for (const stack of PROTECTED) {
    const before = templateJson(from, stack);
    const noReplace = new Set(denied(from, stack, 'Update:Replace'));
    const noDelete = new Set(denied(from, stack, 'Update:Delete'));
    for (const change of diffStack(`graminsta-${stack}`, before, templateJson(to, stack)).changes) {
      const what = `${stack}/${change.logicalId} (${change.type})`;
      if (noReplace.has(change.logicalId) && change.impact === 'replace') refused.push(`${what}: replaced`);
      if (noReplace.has(change.logicalId) && change.impact === 'may-replace') {
        const path = constructPath(before.Resources[change.logicalId]);
        // The registry's "may-replace" entries are changes made in place (Multi-AZ): CloudFormation evaluates the update it makes.
        if (!planned.some((entry) => entry.stack === stack && entry.path === path && entry.impacts.includes('may-replace'))) refused.push(`${what}: may be replaced`);
      }
      if (noDelete.has(change.logicalId) && (change.impact === 'destroy' || change.impact === 'orphan')) refused.push(`${what}: deleted`);
    }
  }
  return refused;
}

describe('stack policy', () => {
  test.each(ALL_STAGES.flatMap((stage) => PROTECTED.map((stack) => [stage, stack] as const)))('stage %s, %s: the policy Monitoring sets denies replacing every stateful resource and deleting those CloudFormation would delete', (stage, stack) => {
    const resources = templateJson(stage, stack).Resources as Record<string, any>;
    const stateful = Object.keys(resources).filter((id) => isStatefulType(resources[id].Type)).sort();
    expect(stateful.length).toBeGreaterThan(0);
    expect(denied(stage, stack, 'Update:Replace')).toEqual(stateful);
    const deletable = stateful.filter((id) => resources[id].DeletionPolicy !== 'Retain' && resources[id].Properties?.DeletionProtection !== true);
    expect(denied(stage, stack, 'Update:Delete')).toEqual(deletable);
  });

  test.each(ALL_STAGES)('stage %s: only Monitoring sets policies, one resource per protected stack, never its own; only its guard may, on exactly those stacks', (stage) => {
    const setters = (stack: StackKind) =>
      Object.entries<any>(templateJson(stage, stack).Resources)
        .filter(([, resource]) => resource.Type === 'Custom::StackPolicy')
        .map(([id, resource]) => `${id} → ${resource.Properties.StackName}`);
    expect(setters('Network')).toEqual([]);
    expect(setters('Data')).toEqual([]);
    expect(setters('App')).toEqual([]);
    expect(setters('Monitoring').sort()).toEqual(['AppStackPolicy → graminsta-App', 'DataStackPolicy → graminsta-Data', 'NetworkStackPolicy → graminsta-Network']);
    const grants = STACKS.flatMap((stack) =>
      Object.values<any>(templateJson(stage, stack).Resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy')
        .flatMap((resource) => resource.Properties.PolicyDocument.Statement as any[])
        .filter((statement) => ([] as string[]).concat(statement.Action).some((action) => action.startsWith('cloudformation:SetStackPolicy') || action === 'cloudformation:*'))
        .flatMap((statement) => ([] as any[]).concat(statement.Resource).map((arn) => `${stack}: ${JSON.stringify(arn['Fn::Join']?.[1].map((part: any) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('') ?? arn)}`)),
    );
    expect(grants.sort()).toEqual(
      // At 10m the home stacks are pinned to the home region (lib/build-app.ts), so partition and region are literal.
      PROTECTED.map((stack) => `Monitoring: "arn:${stage === '10m' ? 'aws:cloudformation:us-east-1' : '<AWS::Partition>:cloudformation:<AWS::Region>'}:<AWS::AccountId>:stack/graminsta-${stack}/*"`).sort(),
    );
  });

  test('a deploy of Monitoring sets again the policy of each stack whose stateful resources changed, and only those', () => {
    const set = (from: StageName, to: StageName) => [...stackPoliciesSet(templateJson(from, 'Monitoring'), templateJson(to, 'Monitoring')).keys()].sort();
    expect(set('10k', '10k')).toEqual([]);
    // 10k → 100k adds the Redis group to Data.
    expect(set('10k', '100k')).toContain('graminsta-Data');
    expect(stackPoliciesSet(templateJson('10k', 'Monitoring'), templateJson('100k', 'Monitoring')).get('graminsta-Data')).toBe(policyBody('100k', 'Data'));
    // A first deploy of Monitoring (Create) sets all three.
    expect([...stackPoliciesSet(undefined, templateJson('1', 'Monitoring')).keys()].sort()).toEqual(['graminsta-App', 'graminsta-Data', 'graminsta-Network']);
  });

  test('what CloudFormation would delete is the Redis replication group, from 100k', () => {
    const deletable = ALL_STAGES.flatMap((stage) => PROTECTED.flatMap((stack) => denied(stage, stack, 'Update:Delete').map((id) => `${stage} ${stack} ${templateJson(stage, stack).Resources[id].Type}`)));
    expect(deletable).toEqual(['100k Data AWS::ElastiCache::ReplicationGroup', '1m Data AWS::ElastiCache::ReplicationGroup', '10m Data AWS::ElastiCache::ReplicationGroup']);
  });

  test('the runbook paths checked: every step up the guard lets through and each runbook\'s rollback', () => {
    const pairs = RUNBOOK_PATHS.map(([from, to]) => `${from}→${to}`);
    for (const expected of ['1→10', '10→100', '100→1k', '10→1k', '100k→1m', '10→1', '1k→100', '1m→100k']) expect(pairs).toContain(expected);
    expect(pairs).not.toContain('1→1k');
    expect(pairs).not.toContain('100k→10k');
  });

  test.each(RUNBOOK_PATHS)('%s → %s: the policies refuse nothing (no runbook lifts them)', (from, to) => {
    expect(refusals(from, to)).toEqual([]);
    // The rehearsals' CloudFormation (test/boot/support/stack-policy-stand-in.ts) agrees.
    for (const stack of PROTECTED) {
      expect({ stack, refusal: stackPolicyRefusal(`graminsta-${stack}`, policyBody(from, stack), templateJson(from, stack), templateJson(to, stack)) }).toEqual({ stack, refusal: undefined });
    }
  });

  test('a step down no runbook covers that drops the cache is refused until an operator lifts the policy', () => {
    expect(refusals('100k', '10k')).toEqual([expect.stringMatching(/^Data\/\w+ \(AWS::ElastiCache::ReplicationGroup\): deleted$/)]);
    expect(stackPolicyRefusal('graminsta-Data', policyBody('100k', 'Data'), templateJson('100k', 'Data'), templateJson('10k', 'Data'))).toMatch(/^graminsta-Data: the stack policy denies Update:Delete of \w+$/);
  });
});
