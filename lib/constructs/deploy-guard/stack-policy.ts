import { CfnDeletionPolicy, CfnResource, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { isStatefulType } from '../../resource-spec';
import type { DeployGuard } from './deploy-guard';
import { type ProtectedResources, stackPolicyBody } from './stack-policy-document';

export interface StackPolicyProps {
  /**
   * The deploy guard of the stack this resource lives in (not the target's): its
   * function sets the policy, and the policy changes only once that guard agreed.
   */
  readonly guard: DeployGuard;
  /** The stack whose policy this sets: another stack of the app, in the same account and region, deployed before this one. */
  readonly target: Stack;
  /** Names the resource in the template (`<logicalIdPrefix>StackPolicy`), so that an operator finds its body (docs/stage-safety.md). */
  readonly logicalIdPrefix: string;
}

/** The logical ID of the resource that sets the policy of the stack of this kind (in the Monitoring stack). */
export function stackPolicyLogicalId(logicalIdPrefix: string): string {
  return `${logicalIdPrefix}StackPolicy`;
}

/**
 * Sets the CloudFormation stack policy of ANOTHER stack (`target`;
 * stack-policy-document.ts: replacing any of its stateful resources is
 * denied, and deleting one that CloudFormation would really delete) from a
 * body computed at synthesis: the logical IDs of the target's resources whose
 * type the resource specification flags as stateful (lib/resource-spec.ts),
 * with their DeletionPolicy. The body is this custom resource's property, so
 * a change in the target's set of stateful resources changes this stack's
 * template and its next deploy sets the new policy; the CDK CLI has no option
 * for a stack policy, so a plain `cdk deploy` applies it this way.
 *
 * Why from another stack: CloudFormation does not document accepting
 * SetStackPolicy on a stack while that stack's own update is in progress; the
 * pattern known to work (aws/aws-cdk-rfcs#72) sets it from a stack deployed
 * after the protected one, when the protected stack's update is complete. So
 * this stack depends on the target.
 *
 * Like every other resource of its stack it waits for that stack's deploy
 * guard, so a refused deploy leaves the policy as it was.
 */
export class StackPolicy extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: StackPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const target = props.target;
    if (target === stack) throw new Error(`${stack.stackName}: a StackPolicy sets another stack's policy, never its own (SetStackPolicy during the stack's own update is undocumented)`);
    if (Stack.of(props.guard) !== stack) throw new Error(`${stack.stackName}: the StackPolicy's guard must be this stack's deploy guard`);
    // The target's update is complete before this stack's starts.
    stack.addStackDependency(target);
    // SetStackPolicy on the target only: its stack ID ends in a UUID CloudFormation chooses, its name is the app's.
    props.guard.handler.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:SetStackPolicy'], resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${target.stackName}/*` })] }),
    );
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.guard.handler.function.functionArn,
      resourceType: 'Custom::StackPolicy',
      properties: {
        StackName: target.stackName,
        // Resolved once the whole app is built (aspects included), so every stateful resource of the target is in it.
        PolicyBody: Lazy.string({ produce: () => stackPolicyBody(target.stackName, protectedResources(target)) }),
      },
    });
    (this.resource.node.defaultChild as CfnResource).overrideLogicalId(stackPolicyLogicalId(props.logicalIdPrefix));
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
