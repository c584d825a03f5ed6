import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import type { CfnTemplate } from './template';
import { constructPath, resourcesOf } from './template';
import type { Impact, ResourceChange } from './resource-change';
import { conditionalVerdict, isStatefulType } from '../../lib';
import { followReplacementCascade } from './cascade';
import { describeInlineEgressChange } from './security-groups';

const IMPACTS: Partial<Record<ResourceImpact, Impact>> = {
  [ResourceImpact.WILL_CREATE]: 'add',
  [ResourceImpact.WILL_UPDATE]: 'update',
  [ResourceImpact.WILL_REPLACE]: 'replace',
  [ResourceImpact.MAY_REPLACE]: 'may-replace',
  [ResourceImpact.WILL_DESTROY]: 'destroy',
  [ResourceImpact.WILL_ORPHAN]: 'orphan',
};

/** One stack's diff: resource changes plus the IAM and security-group tables `cdk diff` prints. */
export interface StackDiff {
  readonly stack: string;
  readonly changes: readonly ResourceChange[];
  /** Rows of IAM statement and managed-policy changes; the first row is the header. */
  readonly iam: readonly (readonly string[])[];
  /** Rows of security-group rule changes; the first row is the header. */
  readonly securityGroups: readonly (readonly string[])[];
}

// The summaries are coloured for terminals; reports want plain text.
const ANSI = /\u001b\[[0-9;]*m/g;
function plain(rows: string[][]): string[][] {
  return rows.map((row) => row.map((cell) => cell.replace(ANSI, '')));
}

/**
 * Every resource change of one stack going from `before` to `after` (either
 * may be absent: a stack not deployed yet, or one the new stage drops), as
 * `@aws-cdk/cloudformation-diff` sees it, plus the replacements it cannot see:
 * resources whose replacement-forcing properties refer to a replaced resource.
 */
export function diffStack(stack: string, before: CfnTemplate | undefined, after: CfnTemplate | undefined): StackDiff {
  const diff = fullDiff(before ?? {}, after ?? {});
  const direct: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    let impact = IMPACTS[change.changeImpact];
    if (!impact) return;
    const type = change.newResourceType ?? change.oldResourceType ?? 'unknown';
    const why: string[] = [];
    if (change.resourceTypeChanged) why.push(`type changes from ${change.oldResourceType} to ${change.newResourceType}`);
    if (impact === 'add') why.push('new in this template');
    if (impact === 'destroy') why.push('removed from the template, and its DeletionPolicy lets CloudFormation delete it');
    if (impact === 'orphan') why.push('removed from the template; its DeletionPolicy Retain keeps it in the account, unmanaged');
    // "May replace" stands unless every property that says so is one its handler is known to change in place.
    const plain: string[] = [];
    let mayReplace = false;
    let knownInPlace = false;
    let knownReplace = false;
    const afterResource = resourcesOf(after)[logicalId] as { UpdatePolicy?: Record<string, unknown> } | undefined;
    change.forEachDifference((kind, name, value) => {
      if (kind !== 'Property') {
        if (impact === 'update' || impact === 'replace') why.push(`${name} changes`);
        return;
      }
      const difference = value as { changeImpact?: ResourceImpact; oldValue?: unknown; newValue?: unknown };
      const known = difference.changeImpact === ResourceImpact.MAY_REPLACE ? conditionalVerdict(type, name, difference.oldValue, difference.newValue, afterResource) : undefined;
      if (difference.changeImpact === ResourceImpact.WILL_REPLACE) why.push(`${name} changes, which forces replacement`);
      else if (known && 'replaces' in known) {
        knownReplace = true;
        why.push(`${name} changes ${String(difference.oldValue)} → ${String(difference.newValue)}: ${known.replaces}`);
      } else if (known) {
        knownInPlace = true;
        why.push(`${name} changes ${String(difference.oldValue)} → ${String(difference.newValue)}: ${known.inPlace}`);
      }
      else if (difference.changeImpact === ResourceImpact.MAY_REPLACE) {
        mayReplace = true;
        why.push(`${name} changes, which may force replacement`);
      } else {
        const egress = type === 'AWS::EC2::SecurityGroup' && name === 'SecurityGroupEgress' ? describeInlineEgressChange(difference.oldValue, difference.newValue) : undefined;
        plain.push(egress ?? `${name} changes`);
      }
    });
    if (impact === 'may-replace' && knownReplace) impact = 'replace';
    else if (impact === 'may-replace' && knownInPlace && !mayReplace) impact = 'update';
    if (impact === 'update') why.push(...plain);
    const resource = resourcesOf(after)[logicalId] ?? resourcesOf(before)[logicalId];
    direct.push({ stack, logicalId, type, impact, stateful: isStatefulType(type), why: dedupe(why), path: constructPath(resource) });
  });
  const iam = diff.iamChanges.hasChanges ? [...plain(diff.iamChanges.summarizeStatements()), ...plain(diff.iamChanges.summarizeManagedPolicies()).slice(1)] : [];
  const securityGroups = diff.securityGroupChanges.hasChanges ? plain(diff.securityGroupChanges.summarize()) : [];
  return { stack, changes: followReplacementCascade(direct, before, after), iam, securityGroups };
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
