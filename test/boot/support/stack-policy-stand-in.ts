import { diffStack } from '../../../tools/review/stack-diff';
import type { CfnTemplate } from '../../../tools/review/template';

/** A template as JSON (the harnesses read templates untyped). */
type Template = Record<string, any>;

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

/**
 * What CloudFormation refuses, under the stack policy the deployed template set
 * (its StackPolicy resource: lib/constructs/deploy-guard/stack-policy.ts), when a
 * deploy takes the stack to `next`: undefined when the policy allows every
 * change, else a one-line reason naming each refused action and resource.
 * Evaluated as CloudFormation documents it: Update:Delete for a resource that
 * leaves the template, Update:Replace for one the update replaces, a Deny
 * overriding the Allow (exact logical IDs only: our policies name no wildcards).
 * A "may replace" counts as the in-place update the harness makes of it (Multi-AZ).
 */
export function stackPolicyRefusal(stack: string, deployed: Template | undefined, next: Template): string | undefined {
  const body = deployed?.Resources?.StackPolicy?.Properties?.PolicyBody;
  if (typeof body !== 'string') return undefined;
  const statements = (JSON.parse(body) as { Statement: Statement[] }).Statement;
  const deniedIds = (action: string) =>
    new Set(
      statements
        .filter((statement) => statement.Effect === 'Deny' && ([] as string[]).concat(statement.Action).some((a) => a === action || a === 'Update:*'))
        .flatMap((statement) => ([] as string[]).concat(statement.Resource).map((resource) => resource.replace(/^LogicalResourceId\//, ''))),
    );
  const noReplace = deniedIds('Update:Replace');
  const noDelete = deniedIds('Update:Delete');
  const refused: string[] = [];
  for (const change of diffStack(stack, deployed as CfnTemplate, next as CfnTemplate).changes) {
    if (change.impact === 'replace' && noReplace.has(change.logicalId)) refused.push(`Update:Replace of ${change.logicalId}`);
    if ((change.impact === 'destroy' || change.impact === 'orphan') && noDelete.has(change.logicalId)) refused.push(`Update:Delete of ${change.logicalId}`);
  }
  return refused.length > 0 ? `${stack}: the stack policy denies ${refused.join(', ')}` : undefined;
}
