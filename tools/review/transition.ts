import type { StackTemplates } from './template';
import type { ResourceChange } from './resource-change';
import { isLossy } from './resource-change';
import type { Problem } from './problem';
import type { PublicEntry } from './security-groups';
import type { AllowedChange } from './allowed-changes';
import { findAllowance } from './allowed-changes';
import { diffStack, type StackDiff } from './stack-diff';
import { checkRetentionPolicies } from './retention';
import { checkExports, checkWeakReferences } from './exports';
import { checkWorldOpenPorts } from './security-groups';

/** A resource change with the review's verdict on it. */
export interface ReviewedChange extends ResourceChange {
  /** A stateful resource is replaced, may be replaced, destroyed or orphaned. */
  readonly atRisk: boolean;
  /** The runbook that makes this change acceptable, when one does. */
  readonly runbook?: string;
}

export interface StackReview extends Omit<StackDiff, 'changes'> {
  readonly changes: readonly ReviewedChange[];
}

export interface TransitionReview {
  readonly stacks: readonly StackReview[];
  /** Broken rules; empty when the change is safe to deploy. */
  readonly problems: readonly Problem[];
  /** Worth a look, not blocking (weak cross-stack references to replaced or deleted resources). */
  readonly warnings: readonly Problem[];
}

export interface TransitionInput {
  readonly before: StackTemplates;
  readonly after: StackTemplates;
  /** Ports the target stage opens to the internet on purpose. */
  readonly entry: PublicEntry;
  /** Destructive changes a runbook covers on this path. */
  readonly allowed: readonly AllowedChange[];
}

/**
 * Reviews deploying `after` over `before`, stack by stack: what happens to
 * each resource (with replacement cascades), stateful resources at risk
 * without a runbook, retention policies, exports in use, world-open ports.
 */
export function reviewTransition(input: TransitionInput): TransitionReview {
  const names = [...new Set([...Object.keys(input.before), ...Object.keys(input.after)])].sort();
  const stacks = names.map((stack) => reviewStack(diffStack(stack, input.before[stack], input.after[stack]), input.allowed));
  const allChanges = stacks.flatMap((stack) => stack.changes);
  const problems: Problem[] = [
    ...allChanges
      .filter((change) => change.atRisk && !change.runbook)
      .map((change) => ({
        rule: 'stateful-at-risk' as const,
        stack: change.stack,
        logicalId: change.logicalId,
        message: `${change.type} ${change.logicalId} holds data and would be ${describeImpact(change.impact)} (${change.why.join('; ')}), and no runbook covers it`,
      })),
    ...checkRetentionPolicies(input.after),
    ...checkExports(input.before, input.after, allChanges),
    ...checkWorldOpenPorts(input.before, input.after, input.entry),
  ];
  return { stacks, problems, warnings: checkWeakReferences(input.before, allChanges) };
}

function reviewStack(diff: StackDiff, allowed: readonly AllowedChange[]): StackReview {
  const changes = diff.changes.map((change): ReviewedChange => {
    const atRisk = change.stateful && isLossy(change);
    const allowance = atRisk ? findAllowance(change, allowed) : undefined;
    return { ...change, atRisk, ...(allowance ? { runbook: allowance.runbook } : {}) };
  });
  changes.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
  return { ...diff, changes };
}

export function describeImpact(impact: ResourceChange['impact']): string {
  switch (impact) {
    case 'add':
      return 'added';
    case 'update':
      return 'updated in place';
    case 'replace':
      return 'replaced';
    case 'may-replace':
      return 'possibly replaced';
    case 'destroy':
      return 'destroyed';
    case 'orphan':
      return 'orphaned (removed from the stack, kept in the account)';
  }
}
