/**
 * The StackPolicy custom resource's rule (lib/constructs/deploy-guard/stack-policy.ts):
 * what to ask CloudFormation for a request. Pure; index.ts makes the call.
 *
 * - Create and Update: set the stack's policy to the body the template carries
 *   (computed at synthesis from the stack's stateful logical IDs), after
 *   checking it is a stack policy (a JSON object with a non-empty Statement
 *   list), so a malformed body fails the resource with a message naming it
 *   rather than CloudFormation's.
 * - Delete: nothing. A stack policy cannot be removed, only replaced; when the
 *   stack is deleted it goes with it, and leaving a policy that denies
 *   replacing retained resources is the safe side.
 */
export type StackPolicyAction = { readonly set: string; readonly why: string } | { readonly set?: undefined; readonly why: string };

export function stackPolicyAction(requestType: 'Create' | 'Update' | 'Delete', policyBody: unknown): StackPolicyAction {
  if (requestType === 'Delete') return { why: 'the stack policy stays as last set (a stack policy cannot be removed)' };
  if (typeof policyBody !== 'string' || policyBody === '') throw new Error('PolicyBody: expected the stack policy as a JSON string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(policyBody);
  } catch {
    throw new Error('PolicyBody: not JSON');
  }
  const statements = parsed && typeof parsed === 'object' && 'Statement' in parsed ? parsed.Statement : undefined;
  if (!Array.isArray(statements) || statements.length === 0) throw new Error('PolicyBody: expected an object with a non-empty Statement list');
  const denied = (action: string): number =>
    statements
      .filter((statement: { Effect?: unknown; Action?: unknown }) => statement.Effect === 'Deny' && ([] as unknown[]).concat(statement.Action).includes(action))
      .flatMap((statement: { Resource?: unknown }) => ([] as unknown[]).concat(statement.Resource ?? [])).length;
  return { set: policyBody, why: `stack policy set: ${denied('Update:Replace')} resource(s) may not be replaced, ${denied('Update:Delete')} may not be deleted` };
}
