import { CfnDeletionPolicy, CfnResource, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { isStatefulType } from '../../resource-spec';
import type { DeployGuard } from './deploy-guard';
import { type ProtectedResources, stackPolicyBody } from './stack-policy-document';

export interface StackPolicyProps {
  /** The stack's deploy guard: its function sets the policy, and the policy changes only once the guard agreed. */
  readonly guard: DeployGuard;
}

/** The resource's logical ID, fixed so that an operator finds its policy body in the deployed template (docs/stage-safety.md). */
export const STACK_POLICY_LOGICAL_ID = 'StackPolicy';

/**
 * Sets the stack's CloudFormation stack policy (stack-policy-document.ts:
 * replacing any of its stateful resources is denied, and deleting one that
 * CloudFormation would really delete) from a body computed at synthesis: the
 * logical IDs of the stack's resources whose type the resource specification
 * flags as stateful (lib/resource-spec.ts), with their DeletionPolicy. The body is
 * this custom resource's property, so the first deploy sets the policy and any
 * deploy that changes the set of stateful resources sets it again; the CDK CLI
 * has no option for a stack policy, so a plain `cdk deploy` applies it this way.
 *
 * Like every other resource of the stack it waits for the deploy guard, so a
 * refused deploy leaves the policy as it was.
 */
export class StackPolicy extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: StackPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // SetStackPolicy on this stack only (the StackName the handler passes is the event's StackId).
    props.guard.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:SetStackPolicy'], resources: [stack.stackId] }));
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.guard.handler.function.functionArn,
      resourceType: 'Custom::StackPolicy',
      properties: {
        // Resolved once the whole stack is built (aspects included), so every stateful resource is in it.
        PolicyBody: Lazy.string({ produce: () => stackPolicyBody(stack.stackName, protectedResources(stack)) }),
      },
    });
    (this.resource.node.defaultChild as CfnResource).overrideLogicalId(STACK_POLICY_LOGICAL_ID);
  }
}

/** The stack's stateful resources by logical ID, and those of them CloudFormation would delete on leaving the template. */
function protectedResources(stack: Stack): ProtectedResources {
  const stateful = stack.node.findAll().filter((node): node is CfnResource => node instanceof CfnResource && Stack.of(node) === stack && isStatefulType(node.cfnResourceType));
  const id = (resource: CfnResource): string => stack.resolve(resource.logicalId);
  return { noReplace: stateful.map(id), noDelete: stateful.filter(deletedOnRemoval).map(id) };
}

/** Not retained (Snapshot or Delete: CloudFormation deletes it) and without deletion protection of its own that would refuse. */
function deletedOnRemoval(resource: CfnResource): boolean {
  if (resource.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN || resource.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE) return false;
  return !(resource instanceof rds.CfnDBInstance && resource.deletionProtection === true);
}
