import type { StageName } from '../../stages/ladder';
import { PLANNED_CHANGES, plannedChangesBetween, type PlannedChange } from '../../lib';
import type { ResourceChange } from './resource-change';
import type { StackTemplates } from './template';
import { constructPath, resourcesOf } from './template';

/**
 * A destructive change the review accepts, by logical ID: a planned change of
 * the transition registry (lib/transitions.ts, by construct path) found in
 * the templates under review.
 */
export interface AllowedChange extends Omit<PlannedChange, 'path'> {
  /** The logical ID the templates give the planned change's construct path. */
  readonly logicalId: string;
}

const inStack = (stackName: string, stack: string) => stackName === stack || stackName.endsWith(`-${stack}`);

/** The logical ID of the resource whose `aws:cdk:path` is the planned change's stack and path, in the first template set that has it. */
function logicalIdOf(change: PlannedChange, templates: readonly StackTemplates[]): string | undefined {
  for (const stacks of templates) {
    for (const [stackName, template] of Object.entries(stacks)) {
      if (!inStack(stackName, change.stack)) continue;
      const found = Object.entries(resourcesOf(template)).find(([, resource]) => constructPath(resource) === `${stackName}/${change.path}`);
      if (found) return found[0];
    }
  }
  return undefined;
}

/**
 * The planned changes going from `from` up to `to`, each with the logical ID
 * the templates give its construct path. Pass the deployed side first: a
 * retired resource is only there. A planned change no template holds is left
 * out, so whatever happens to it stays at risk.
 */
export function allowedChangesBetween(
  from: StageName,
  to: StageName,
  templates: readonly StackTemplates[],
  planned: readonly PlannedChange[] = PLANNED_CHANGES,
): AllowedChange[] {
  return plannedChangesBetween(from, to, planned).flatMap((change) => {
    const logicalId = logicalIdOf(change, templates);
    return logicalId === undefined ? [] : [{ stack: change.stack, logicalId, step: change.step, impacts: change.impacts, runbook: change.runbook, why: change.why }];
  });
}

/** The allowed entry that covers a change, if any. */
export function findAllowance(change: ResourceChange, allowed: readonly AllowedChange[]): AllowedChange | undefined {
  return allowed.find((entry) => inStack(change.stack, entry.stack) && change.logicalId === entry.logicalId && entry.impacts.some((impact) => impact === change.impact));
}
