import { Stack, Token, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { StageSpec } from '../../stages/ladder';
import { ACKNOWLEDGEMENTS, type Acknowledgement, database as databaseAcknowledgements, SECOND_REGION_PREFIX } from './acknowledgements';

export { ACKNOWLEDGEMENTS, type Acknowledgement } from './acknowledgements';

/**
 * cdk-nag runs at every synthesis; `GRAMINSTA_NAG=0` leaves it out so that
 * `npm run compliance` can list findings instead of failing on the first.
 */
function nagEnabled(): boolean {
  return process.env.GRAMINSTA_NAG !== '0';
}

/** `-<region>-<Kind>`: a second-region stack's name ends so (lib/app-options.ts, `regionalStackName`). */
const REGIONAL_SUFFIX = /-[a-z]{2}(-[a-z]+)+-\d-(Network|Data|App|Monitoring)$/;

function findStack(app: App, kind: Acknowledgement['stack']): Stack | undefined {
  const regional = kind.startsWith(SECOND_REGION_PREFIX);
  const suffix = regional ? kind.slice(SECOND_REGION_PREFIX.length) : kind;
  return app.node.children.find(
    (child): child is Stack => child.node.id.endsWith(`-${suffix}`) && REGIONAL_SUFFIX.test(child.node.id) === regional && 'templateOptions' in child,
  );
}

/** The app name and the home and second regions of a two-region app (10m), as acknowledgements name them in other stacks' references (`<APP_NAME>`, `<HOME_REGION>`, `<SECOND_REGION>`). */
function regionsOf(app: App): Record<string, string> {
  const home = findStack(app, 'Network');
  const second = findStack(app, `${SECOND_REGION_PREFIX}Network`);
  if (!home || !second || Token.isUnresolved(home.region) || Token.isUnresolved(second.region)) return {};
  return { '<APP_NAME>': home.node.id.slice(0, -'-Network'.length), '<HOME_REGION>': home.region, '<SECOND_REGION>': second.region };
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
 * for ARNs that name another stack of the app. Acknowledgements are written
 * for environment-agnostic stacks; when the environment pins a stack's region
 * (stage 10m pins each stack to its region) or its account and region
 * (CDK_DEFAULT_ACCOUNT/REGION, as `cdk deploy` with credentials sets them),
 * some ARNs (the CDK assets bucket's) carry the literal values (and the
 * partition, once the region is known) instead of the pseudo parameters,
 * while others (AWS managed policies) keep the partition token.
 */
export function ruleIdsIn(stack: Stack, appRule: string, regions: Record<string, string> = {}): string[] {
  const rule = appRule.split('<AppName>').join(stack.stackName.slice(0, stack.stackName.lastIndexOf('-')));
  const ids = new Set([rule]);
  let pinned = Object.entries(regions).reduce((text, [placeholder, region]) => text.split(placeholder).join(region), rule);
  if (!Token.isUnresolved(stack.account)) pinned = pinned.split('<AWS::AccountId>').join(stack.account);
  if (!Token.isUnresolved(stack.region)) pinned = pinned.split('<AWS::Region>').join(stack.region);
  ids.add(pinned);
  if (!Token.isUnresolved(stack.partition)) ids.add(pinned.split('<AWS::Partition>').join(stack.partition));
  return [...ids];
}

/** The finding IDs `ack` stands for on `node` of `app` (its stack's pinned environment and, at 10m, the app's regions filled in). */
export function acknowledgedRuleIds(app: App, ack: Acknowledgement, node: IConstruct): string[] {
  return ruleIdsIn(Stack.of(node), ack.rule, regionsOf(app));
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
  const regions = regionsOf(app);
  for (const ack of acknowledgementsFor(spec)) {
    const node = findAcknowledged(app, ack);
    if (!node) continue;
    for (const id of ruleIdsIn(Stack.of(node), ack.rule, regions)) Validations.of(node).acknowledge({ id, reason: `[stage ${spec.name}] ${ack.reason}` });
  }
  if (nagEnabled()) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
