import { Aspects, CfnResource, CustomResource, Duration, Stack, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { join } from 'node:path';
import { STAGE_NAMES, type StageName } from '../../../stages/ladder';
import { RUNBOOKS } from '../../transitions';
import { LocalNodeFunction, PROJECT_ROOT } from '../common/local-node-function';

export interface DeployGuardProps {
  /** The stage this deploy takes the stack to. */
  readonly stage: StageName;
  /**
   * The deploy's confirmation (`-c confirm=`): a runbook's id for an upward
   * step across its data move, `<from>-to-<to>` for a step down.
   * @default none
   */
  readonly confirm?: string;
}

/**
 * Refuses, inside CloudFormation, a deploy that would take its stack across a
 * runbook's data move or down the ladder without the runbook's confirmation,
 * whatever tool runs the deploy (lambda/deploy-guard: the rule, its messages
 * and the rollback exception). The stack's stage is recorded in the account as
 * this custom resource's properties: CloudFormation hands the old ones to the
 * next update. Every other resource of the stack waits for it (DependsOn), so a
 * refusal fails the update before anything else changes and the stack rolls
 * back untouched.
 *
 * Not waiting for it: its own function, role and log group, and KMS keys (the
 * log group is encrypted with the stack's key, so the key must exist first;
 * keys are retained and no stage change replaces one).
 */
export class DeployGuard extends Construct {
  public readonly resource: CustomResource;
  /** The guard's function; in the Monitoring stack it also serves the StackPolicy resources that set the other stacks' policies. */
  public readonly handler: LocalNodeFunction;

  constructor(scope: Construct, id: string, props: DeployGuardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const handler = (this.handler = new LocalNodeFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'lambda', 'deploy-guard', 'index.ts'),
      description: `Deploy guard of ${stack.stackName}: refuses a stage change that needs a runbook's confirmation`,
      memorySize: 256,
      timeout: Duration.seconds(30),
    }));
    // Whether CloudFormation is rolling the stack back (then the guard always agrees).
    handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.function.functionArn,
      resourceType: 'Custom::DeployGuard',
      properties: {
        StackLabel: stack.stackName,
        Stage: props.stage,
        Confirm: props.confirm ?? '',
        Ladder: [...STAGE_NAMES],
        RunbookSteps: RUNBOOKS.flatMap((runbook) => runbook.steps.map(([from, to]) => ({ runbook: runbook.id, from, to, file: runbook.file }))),
      },
    });
    Aspects.of(stack).add(new WaitForGuard(this, this.resource.node.defaultChild as CfnResource));
  }
}

/** Makes every resource of the stack, except the guard's own and KMS keys, depend on the guard. */
class WaitForGuard implements IAspect {
  constructor(
    private readonly guard: DeployGuard,
    private readonly guardResource: CfnResource,
  ) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType === 'AWS::KMS::Key' || node.cfnResourceType === 'AWS::CDK::Metadata') return;
    if (node.node.scopes.includes(this.guard)) return;
    if (Stack.of(node) !== Stack.of(this.guard)) return;
    node.addResourceDependency(this.guardResource);
  }
}
