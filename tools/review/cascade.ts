import { isDeepStrictEqual } from 'node:util';
import type { CfnTemplate } from './template';
import { constructPath, resourcesOf } from './template';
import type { ResourceChange } from './resource-change';
import { referencedIds } from './references';
import { isStatefulType, replacementOnChange } from '../../lib';

/**
 * Follows replacements through references. When a resource is replaced, its
 * physical ID changes while the template text of `{ Ref: X }` does not; a
 * resource that holds that reference in a property whose change forces
 * replacement (e.g. a database's `DBSubnetGroupName`) is replaced as well, and
 * so on transitively. A 'maybe' anywhere in the chain makes it 'may-replace'.
 *
 * `@aws-cdk/cloudformation-diff` already propagates certain replacements
 * through `Ref` and array `Fn::GetAtt`, but reports them as if the property had
 * changed. This pass names the chain (`cascadeFrom`) for those, and adds what
 * it misses: possible replacements, `Fn::Sub` and dotted `Fn::GetAtt` references.
 */
export function followReplacementCascade(
  changes: readonly ResourceChange[],
  before: CfnTemplate | undefined,
  after: CfnTemplate | undefined,
): ResourceChange[] {
  const byId = new Map(changes.map((change) => [change.logicalId, change]));
  const resources = resourcesOf(after);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [logicalId, resource] of Object.entries(resources)) {
      const current = byId.get(logicalId);
      // New resources have nothing to replace; a named chain is final.
      if (current?.impact === 'add' || current?.cascadeFrom) continue;
      const cause = strongestCause(resource.Type, resource.Properties ?? {}, byId);
      if (!cause) continue;
      if (current?.impact === 'may-replace' && cause.impact === 'may-replace') continue;
      const source = byId.get(cause.target)!;
      const chain = [...(source.cascadeFrom ?? []), cause.target];
      const why = `refers to ${cause.target} (${source.impact === 'replace' ? 'replaced' : 'may be replaced'}) through ${cause.property}, whose change ${
        cause.onChange === 'yes' ? 'forces' : 'may force'
      } replacement`;
      const unchanged = isDeepStrictEqual(resourcesOf(before)[logicalId]?.Properties?.[cause.property], resource.Properties?.[cause.property]);
      // Drop the diff's claim that the property changed when its text did not.
      const ownWhy = (current?.why ?? []).filter((line) => !(unchanged && line.startsWith(`${cause.property} changes`)));
      byId.set(logicalId, {
        stack: source.stack,
        logicalId,
        type: resource.Type,
        impact: current?.impact === 'replace' ? 'replace' : cause.impact,
        stateful: isStatefulType(resource.Type),
        why: [...ownWhy, why],
        cascadeFrom: chain,
        path: constructPath(resource),
      });
      grew = true;
    }
  }
  return [...byId.values()];
}

interface Cause {
  readonly target: string;
  readonly property: string;
  readonly onChange: 'yes' | 'maybe';
  readonly impact: 'replace' | 'may-replace';
}

function strongestCause(type: string, properties: Readonly<Record<string, unknown>>, changes: ReadonlyMap<string, ResourceChange>): Cause | undefined {
  let best: Cause | undefined;
  for (const [property, value] of Object.entries(properties)) {
    const onChange = replacementOnChange(type, property);
    if (onChange === 'no') continue;
    for (const target of referencedIds(value)) {
      const targetImpact = changes.get(target)?.impact;
      if (targetImpact !== 'replace' && targetImpact !== 'may-replace') continue;
      const impact = onChange === 'yes' && targetImpact === 'replace' ? 'replace' : 'may-replace';
      if (!best || (best.impact === 'may-replace' && impact === 'replace')) best = { target, property, onChange, impact };
    }
  }
  return best;
}
