import { Stack, Token, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { StageSpec } from '../../stages/ladder';
import { ACKNOWLEDGEMENTS, type Acknowledgement, database as databaseAcknowledgements } from './acknowledgements';

export { ACKNOWLEDGEMENTS, type Acknowledgement } from './acknowledgements';

/**
 * cdk-nag runs at every synthesis; `GRAMINSTA_NAG=0` leaves it out so that
 * `npm run compliance` can list findings instead of failing on the first.
 */
function nagEnabled(): boolean {
  return process.env.GRAMINSTA_NAG !== '0';
}

function findStack(app: App, suffix: string): Stack | undefined {
  return app.node.children.find((child): child is Stack => child.node.id.endsWith(`-${suffix}`) && 'templateOptions' in child);
}

/** The construct an acknowledgement names in this app, if it exists. */
export function findAcknowledged(app: App, ack: Acknowledgement): IConstruct | undefined {
  let node: IConstruct | undefined = findStack(app, ack.stack);
  for (const id of ack.path.split('/')) {
    if (!node) return undefined;
    node = node.node.tryFindChild(id);
  }
  return node;
}

/**
 * The finding IDs an acknowledgement stands for in this stack. `<AppName>` in a
 * rule stands for the app's stack-name prefix (stack names are `<app>-<kind>`),
 * for ARNs that name another stack of the app. Acknowledgements
 * are written for environment-agnostic stacks; when CDK_DEFAULT_ACCOUNT/REGION
 * pin a stack (as `cdk deploy` with credentials does), some ARNs (the CDK assets
 * bucket's) carry the literal account, region and partition instead of the
 * pseudo parameters, while others (AWS managed policies) keep the partition token.
 */
export function ruleIdsIn(stack: Stack, appRule: string): string[] {
  const rule = appRule.split('<AppName>').join(stack.stackName.slice(0, stack.stackName.lastIndexOf('-')));
  const ids = new Set([rule]);
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
    const pinned = rule.split('<AWS::AccountId>').join(stack.account).split('<AWS::Region>').join(stack.region);
    ids.add(pinned);
    if (!Token.isUnresolved(stack.partition)) ids.add(pinned.split('<AWS::Partition>').join(stack.partition));
  }
  return [...ids];
}

/** The acknowledgements that apply to a stage. */
export function acknowledgementsFor(spec: StageSpec): Acknowledgement[] {
  const listed = ACKNOWLEDGEMENTS.filter((ack) => ack.stages.includes(spec.name));
  return [...listed, ...extraPrimaryAcknowledgements(spec, listed)];
}

/**
 * A primary added with `-c extraPrimaries=N` (Shard4Database, ...) is built
 * exactly like the stage's own shard primaries, so it gets their
 * acknowledgements, for the same reasons.
 */
function extraPrimaryAcknowledgements(spec: StageSpec, listed: readonly Acknowledgement[]): Acknowledgement[] {
  if (spec.database.kind !== 'rds') return [];
  const acks: Acknowledgement[] = [];
  for (let n = 1; n < spec.database.primaries; n++) {
    const prefix = `Shard${n}Database`;
    if (listed.some((ack) => ack.stack === 'Data' && ack.path.startsWith(`${prefix}/`))) continue;
    acks.push(...databaseAcknowledgements(prefix, [spec.name], [spec.name]));
  }
  return acks;
}

/**
 * Adds the compliance checks to a stage's app: cdk-nag's AwsSolutions pack
 * through CDK's Validations API (findings fail the synthesis), and the
 * project's acknowledgements, each on its own construct for this stage only.
 * An acknowledgement whose construct does not exist is skipped here (so a
 * rename never breaks everyone's synth) and reported by test/tools/compliance.
 */
export function applyCompliance(app: App, spec: StageSpec): void {
  for (const ack of acknowledgementsFor(spec)) {
    const node = findAcknowledged(app, ack);
    if (!node) continue;
    for (const id of ruleIdsIn(Stack.of(node), ack.rule)) Validations.of(node).acknowledge({ id, reason: `[stage ${spec.name}] ${ack.reason}` });
  }
  if (nagEnabled()) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
