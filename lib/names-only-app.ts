import { App, CfnResource, CfnRule, Fn, type Environment, Stack } from 'aws-cdk-lib';
import { type AppRegions, regionalStackName, SECOND_REGION_STACK_KINDS, STACK_KINDS, stackName } from './app-options';
import { STAGE_NAMES } from '../stages/ladder';

export interface NamesOnlyAppProps {
  readonly appName: string;
  /** Cloud assembly directory (the CLI's `CDK_OUTDIR`). */
  readonly outdir?: string;
  readonly env?: Environment;
  /** With `-c regions=` (10m): the second region's stacks too, in that region, after the home region's. @default the home stacks only */
  readonly regions?: AppRegions;
}

/**
 * Context key the CDK CLI sets to the stacks it will build: `["**"]` for the
 * commands that bundle assets (synth, diff, deploy, watch, import,
 * publish-assets, refactor), `[]` for the others (ls, bootstrap, destroy,
 * rollback, gc, …). Defined by aws-cdk-lib's cx-api as `BUNDLING_STACKS`.
 */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

/** True when the CLI command that runs the app builds stacks (or when run outside the CLI, where nothing says otherwise). */
export function buildsStacks(bundlingStacks: unknown): boolean {
  return !(Array.isArray(bundlingStacks) && bundlingStacks.length === 0);
}

/**
 * The app without a stage, for the CLI commands that need only the stacks'
 * names and environment (`cdk ls`, `cdk bootstrap`, `cdk destroy`): the four
 * stacks, named as every stage names them, in deployment order, with nothing
 * of any stage in them. bin/app.ts builds it only when the CLI builds no
 * stacks; synth, diff and deploy still need `-c stage=<…>`.
 *
 * `cdk destroy` with it deletes the deployed stacks only once their
 * termination protection is lifted, on purpose, stack by stack (the README's
 * "Removing the app"): `aws cloudformation update-termination-protection
 * --no-enable-termination-protection --stack-name <appName>-<kind>`. These
 * stacks leave it off: they are never deployed, and the deployed stacks'
 * protection is CloudFormation's, not this app's.
 *
 * Each template holds one inert resource and a rule that always fails, so
 * that a deploy of it, were one ever attempted, is refused by CloudFormation
 * before it changes anything: an empty template would make the CLI delete
 * the deployed stack ("stack has no resources, deleting existing stack").
 */
export function buildNamesOnlyApp(props: NamesOnlyAppProps): { app: App; stacks: Stack[] } {
  const app = new App({ outdir: props.outdir });
  const stacks: Stack[] = [];
  const home = props.regions ? { account: props.env?.account, region: props.regions.home } : props.env;
  const second = props.regions && { account: props.env?.account, region: props.regions.second };
  const all = [
    ...STACK_KINDS.map((kind) => ({ name: stackName(props.appName, kind), env: home })),
    ...(props.regions ? SECOND_REGION_STACK_KINDS.map((kind) => ({ name: regionalStackName(props.appName, props.regions!.second, kind), env: second })) : []),
  ];
  for (const { name, env } of all) {
    const stack = new Stack(app, name, {
      env,
      description: `${props.appName}: names only (no stage given); synth, diff and deploy need -c stage=<stage>`,
    });
    new CfnResource(stack, 'NoStage', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    new CfnRule(stack, 'StageRequired', {
      assertions: [
        {
          // Never true: the bootstrap version parameter (every CDK template has it) is a number.
          assert: Fn.conditionEquals(Fn.ref('BootstrapVersion'), 'no-stage'),
          assertDescription: `This template was synthesized without a stage and deploys nothing: deploy with -c stage=<${STAGE_NAMES.join('|')}>.`,
        },
      ],
    });
    const previous = stacks[stacks.length - 1];
    if (previous) stack.addStackDependency(previous);
    stacks.push(stack);
  }
  return { app, stacks };
}
