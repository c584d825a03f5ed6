/**
 * The CloudFormation stack policy a stack of the app carries (the StackPolicy
 * construct sets it through the deploy guard's function): every update action
 * allowed, except what would lose a stateful resource's data in an update.
 *
 * A stack policy governs stack updates only ("A stack policy applies only
 * during stack updates", CloudFormation User Guide, "Prevent updates to stack
 * resources"); deleting the whole stack is what termination protection
 * refuses. Once a policy is set, whatever it does not allow is denied, hence
 * the Allow on everything; an explicit Deny overrides it.
 *
 * - Update:Replace is denied on every stateful resource: a replacement moves
 *   the app to a new, empty resource, which a retained old one does not undo.
 *   No runbook's step replaces one (lib/transitions.ts: the one "may-replace",
 *   Multi-AZ, is made in place, and CloudFormation evaluates the update it
 *   actually makes).
 * - Update:Delete (the resource leaving the template) is denied only on the
 *   stateful resources CloudFormation would really delete: DeletionPolicy not
 *   Retain and no deletion protection of their own (today the Redis
 *   replication group). The others stay in the account when they leave
 *   (Retain), or their deletion fails (RDS deletion protection), and leaving
 *   the template is how the ladder retires them on purpose (100 → 1k orphans
 *   the instance's volume) and how the runbooks' rollback sections step down;
 *   the deploy guard refuses those deploys without the runbook's confirmation.
 */
export interface StackPolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Principal: '*';
  readonly Resource: string | readonly string[];
}

export interface StackPolicyDocument {
  readonly Statement: readonly StackPolicyStatement[];
}

/** What the policy protects, by logical ID. */
export interface ProtectedResources {
  /** Every stateful resource: may not be replaced. */
  readonly noReplace: readonly string[];
  /** The stateful resources CloudFormation would delete when they leave the template: may not be deleted. */
  readonly noDelete: readonly string[];
}

/** SetStackPolicy's limit on StackPolicyBody (CloudFormation API Reference, SetStackPolicy). */
export const MAX_POLICY_BODY = 16_384;

/** One Deny of `action` on these logical IDs (sorted and once each, so the body is deterministic), or none. */
function deny(action: string, logicalIds: readonly string[]): StackPolicyStatement[] {
  const ids = [...new Set(logicalIds)].sort();
  return ids.length > 0 ? [{ Effect: 'Deny', Action: action, Principal: '*', Resource: ids.map((id) => `LogicalResourceId/${id}`) }] : [];
}

/** The policy: allow every update, then deny replacing and deleting what `resources` names. */
export function stackPolicyDocument(resources: ProtectedResources): StackPolicyDocument {
  return {
    Statement: [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }, ...deny('Update:Replace', resources.noReplace), ...deny('Update:Delete', resources.noDelete)],
  };
}

/** The policy as SetStackPolicy takes it; throws when it is over the API's limit, naming the stack. */
export function stackPolicyBody(stackName: string, resources: ProtectedResources): string {
  const body = JSON.stringify(stackPolicyDocument(resources));
  if (body.length > MAX_POLICY_BODY) {
    throw new Error(`${stackName}: its stack policy is ${body.length} characters, over SetStackPolicy's ${MAX_POLICY_BODY}; protect fewer resources by logical ID (a wildcard or a ResourceType condition)`);
  }
  return body;
}
