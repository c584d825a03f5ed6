/**
 * The deploy guard in each stage's templates: every stack holds one, recording
 * the stage, and CloudFormation cannot touch any other resource of the stack
 * (the stateful ones above all) before the guard has agreed.
 */
import { isStatefulType } from '../../../lib/resource-spec';
import { deployGuardRefusal } from '../../boot/support/deploy-guard-stand-in';
import { ALL_STAGES, STACKS, constructPath, guardNeeds, needs, notWaitingForGuard, resourcesOfType, templateJson } from './stage-templates';

describe('deploy guard', () => {
  test.each(ALL_STAGES.flatMap((stage) => STACKS.map((stack) => [stage, stack] as const)))('stage %s, %s: one guard recording the stage; every resource but its own and the KMS key waits for it', (stage, stack) => {
    const resources = templateJson(stage, stack).Resources as Record<string, any>;
    const guards = resourcesOfType(stage, stack, 'Custom::DeployGuard');
    expect(Object.keys(guards)).toHaveLength(1);
    const [guardId, guard] = Object.entries(guards)[0];
    expect(guard.Properties).toMatchObject({ StackLabel: `graminsta-${stack}`, Stage: stage, Confirm: '' });

    // The guard needs only its function, role, policy, log group (and in Network the key that encrypts it).
    const own = guardNeeds(resources, guardId);
    expect([...own].filter((id) => id !== guardId).every((id) => constructPath(resources[id]).startsWith('DeployGuard/') || resources[id].Type === 'AWS::KMS::Key')).toBe(true);
    expect(notWaitingForGuard(resources)).toEqual([]);
    // Stateful resources above all: none of the app's is among what the guard needs (its own log group and the retained key are).
    const statefulWaiting = Object.keys(resources).filter((id) => isStatefulType(resources[id].Type) && !constructPath(resources[id]).startsWith('DeployGuard/') && resources[id].Type !== 'AWS::KMS::Key');
    expect(statefulWaiting.filter((id) => !needs(resources, id).has(guardId))).toEqual([]);
  });

  test('a plain cdk deploy --all from stage 1 to 10 stops at the first stack, with the message cdk deploy prints; the runbook\'s confirmation passes every stack', () => {
    expect(deployGuardRefusal(templateJson('1', 'Network'), templateJson('10', 'Network'), undefined)).toBe(
      'graminsta-Network: stage 1 → 10 moves data that a plain deploy would lose. Follow the runbook for 1 → 10 (docs/runbooks/1-to-10.md, -c confirm=1-to-10): ' +
        'its deploy commands carry the confirmation once the data is moved. Nothing was changed.',
    );
    for (const stack of STACKS) expect({ stack, refusal: deployGuardRefusal(templateJson('1', stack), templateJson('10', stack), '1-to-10') }).toEqual({ stack, refusal: undefined });
    // 10 → 100 moves no data: a plain deploy.
    for (const stack of STACKS) expect({ stack, refusal: deployGuardRefusal(templateJson('10', stack), templateJson('100', stack), undefined) }).toEqual({ stack, refusal: undefined });
  });
});
