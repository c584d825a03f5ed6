import type { StackTemplates } from './template';
import type { Problem } from './problem';
import { isStatefulType } from '../../lib';

const KEEPS_DATA = new Set(['Retain', 'Snapshot']);

/**
 * Every stateful resource must keep its data when CloudFormation deletes or
 * replaces it: DeletionPolicy and UpdateReplacePolicy both Retain or Snapshot.
 */
export function checkRetentionPolicies(stacks: StackTemplates): Problem[] {
  const problems: Problem[] = [];
  for (const [stack, template] of Object.entries(stacks)) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (!isStatefulType(resource.Type)) continue;
      const missing = (['DeletionPolicy', 'UpdateReplacePolicy'] as const).filter((key) => !KEEPS_DATA.has(String(resource[key])));
      if (missing.length === 0) continue;
      const shown = missing.map((key) => `${key} is ${resource[key] ?? 'unset (Delete)'}`).join(', ');
      problems.push({
        rule: 'retention-policy',
        stack,
        logicalId,
        message: `${resource.Type} ${logicalId} holds data but ${shown}; it must be Retain or Snapshot`,
      });
    }
  }
  return problems;
}
