import { diffStack } from '../../../tools/review/stack-diff';
import type { CfnTemplate } from '../../../tools/review/template';

/** A template as JSON (the harnesses read templates untyped). */
type Template = Record<string, any>;

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

/** The template's Custom::StackPolicy resources (lib/constructs/deploy-guard/stack-policy.ts: in Monitoring) by logical ID. */
function policyResources(template: Template | undefined): [string, Template][] {
  return Object.entries<Template>(template?.Resources ?? {}).filter(([, resource]) => resource.Type === 'Custom::StackPolicy');
}

/** The policy body a template sets on the named stack (undefined: it sets none there). */
export function policyBodyFor(template: Template | undefined, stackName: string): string | undefined {
  return policyResources(template).find(([, resource]) => resource.Properties?.StackName === stackName)?.[1].Properties.PolicyBody;
}

/**
 * The policies CloudFormation sets when a stack goes from `deployed` to `next`
 * (stack name → body): the handler runs SetStackPolicy on the named stack for
 * each StackPolicy resource created, or updated because its properties
 * changed; a removed one leaves the policy as it was (lambda/deploy-guard/stack-policy.ts).
 */
export function stackPoliciesSet(deployed: Template | undefined, next: Template): Map<string, string> {
  const set = new Map<string, string>();
  for (const [logicalId, resource] of policyResources(next)) {
    if (JSON.stringify(deployed?.Resources?.[logicalId]?.Properties) === JSON.stringify(resource.Properties)) continue;
    set.set(resource.Properties.StackName, resource.Properties.PolicyBody);
  }
  return set;
}

/**
 * What CloudFormation refuses, under the stack policy in force on `stack`
 * (`policyBody`: the one the last deploy of the Monitoring stack set, undefined
 * when none was ever set), when a deploy takes the stack from `deployed` to
 * `next`: undefined when the policy allows every change, else a one-line
 * reason naming each refused action and resource. Evaluated as CloudFormation
 * documents it: Update:Delete for a resource that leaves the template,
 * Update:Replace for one the update replaces, a Deny overriding the Allow
 * (exact logical IDs only: our policies name no wildcards). A "may replace"
 * counts as the in-place update the harness makes of it (Multi-AZ).
 */
export function stackPolicyRefusal(stack: string, policyBody: string | undefined, deployed: Template | undefined, next: Template): string | undefined {
  if (policyBody === undefined || deployed === undefined) return undefined;
  const statements = (JSON.parse(policyBody) as { Statement: Statement[] }).Statement;
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
