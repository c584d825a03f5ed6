/**
 * The StackPolicy custom resource's rule (lib/constructs/deploy-guard/stack-policy.ts):
 * what to ask CloudFormation for a request. Pure; index.ts makes the call.
 * The resource lives in the Monitoring stack and names the stack whose policy
 * it sets (StackName): never the stack of the event, whose update is in progress.
 *
 * - Create and Update: set the named stack's policy to the body the template
 *   carries (computed at synthesis from that stack's stateful logical IDs),
 *   after checking it is a stack policy (a JSON object with a non-empty
 *   Statement list), so a malformed body fails the resource with a message
 *   naming it rather than CloudFormation's.
 * - Delete (the resource left Monitoring's template, or Monitoring is being
 *   deleted): nothing. A stack policy cannot be removed, only replaced;
 *   leaving the one last set, which denies replacing stateful resources, is
 *   the safe side, and an operator who means to lift it does so on purpose
 *   (docs/stage-safety.md).
 */
export type StackPolicyAction =
  | { readonly stackName: string; readonly set: string; readonly why: string }
  | { readonly stackName?: undefined; readonly set?: undefined; readonly why: string };

/** A stack name as CloudFormation allows it (letters, digits, hyphens; a letter first; at most 128). */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function stackPolicyAction(requestType: 'Create' | 'Update' | 'Delete', stackName: unknown, policyBody: unknown): StackPolicyAction {
  if (requestType === 'Delete') return { why: `the stack policy of ${typeof stackName === 'string' ? stackName : 'the stack'} stays as last set (a stack policy cannot be removed)` };
  if (typeof stackName !== 'string' || !STACK_NAME.test(stackName)) throw new Error('StackName: expected the name of the stack whose policy to set');
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
  return { stackName, set: policyBody, why: `stack policy of ${stackName} set: ${denied('Update:Replace')} resource(s) may not be replaced, ${denied('Update:Delete')} may not be deleted` };
}
