import { stageSpec, type StageName, type StageSpec } from '../stages/ladder';

/** The app's options as the entry point reads them from context. */
export interface AppOptions {
  /** One of the seven stage names; anything else throws a one-line error naming them. */
  readonly stage: StageName | string;
  /** Stack-name prefix. @default 'graminsta' */
  readonly appName?: string;
  /** E-mail address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Custom domain for CloudFront (every stage); needs `certificateArn`. @default the CloudFront domain */
  readonly domainName?: string;
  /** ACM certificate in us-east-1 covering `domainName`. @default none */
  readonly certificateArn?: string;
  /**
   * Physical primaries beyond the stage's own (sharded stages only): how a
   * fifth primary joins, empty, before `npm run reshard` moves shards onto it
   * (docs/runbooks/add-a-primary.md). Once deployed it must stay set on every
   * later deploy (keep it in cdk.json's context, not only on the command line).
   * A string is accepted because that is how `-c extraPrimaries=1` arrives.
   * @default 0
   */
  readonly extraPrimaries?: number | string;
  /**
   * Generation of the origin secret CloudFront sends to the API: bump it (and
   * keep it in cdk.json) after rotating the secret, so that the deploy makes
   * CloudFront read the new value (docs/runbooks/rotate-origin-secret.md). A
   * string is accepted because that is how `-c originSecretGeneration=2` arrives.
   * @default 1
   */
  readonly originSecretGeneration?: number | string;
  /**
   * The deploy's confirmation for the deploy guard (lambda/deploy-guard): a
   * runbook's id (`1-to-10`) on the deploys of that runbook, which cross its
   * data move, or `<from>-to-<to>` (`10-to-1`) on a step down. Pass it on the
   * command line only, never in cdk.json: it is meant for one runbook step.
   * @default none (a deploy that needs one is refused by CloudFormation)
   */
  readonly confirm?: string;
}

/**
 * Most primaries the shard map may list: it is a standard-tier SSM parameter
 * (4 KB), and one primary's entry (name, secret ARN, two replica host names,
 * ranges) takes about 400 bytes once CloudFormation resolves it.
 */
export const MAX_PRIMARIES = 8;

export const DEFAULT_APP_NAME = 'graminsta';
const APP_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A runbook id or `<from>-to-<to>`: two stage-like words joined by -to-. */
const CONFIRMATION = /^[0-9a-z]{1,5}-to-[0-9a-z]{1,5}$/;
const CLOUDFRONT_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/;

/**
 * Checks the options and returns the stage's spec and the app name; throws a
 * one-line error for the first bad value. Light on purpose (no CDK imports),
 * so bad input fails fast, before anything is built.
 */
export function validateOptions(options: AppOptions): { spec: StageSpec; appName: string; originSecretGeneration: number; confirm?: string } {
  const spec = stageSpec(options.stage);
  const appName = validateAppName(options.appName);
  if (options.alarmEmail !== undefined && !EMAIL.test(options.alarmEmail)) {
    throw new Error(`invalid alarmEmail "${options.alarmEmail}": expected an e-mail address`);
  }
  if ((options.domainName === undefined) !== (options.certificateArn === undefined)) {
    throw new Error('domainName and certificateArn go together: pass both or neither');
  }
  if (options.certificateArn !== undefined && !CLOUDFRONT_CERTIFICATE.test(options.certificateArn)) {
    throw new Error(`invalid certificateArn "${options.certificateArn}": CloudFront needs an ACM certificate ARN in us-east-1`);
  }
  if (options.confirm !== undefined && !CONFIRMATION.test(options.confirm)) {
    throw new Error(`invalid confirm "${options.confirm}": expected a runbook's id (1-to-10) or <from>-to-<to> (10-to-1), as the runbook writes it`);
  }
  return {
    spec: withExtraPrimaries(spec, options.extraPrimaries),
    appName,
    originSecretGeneration: generation(options.originSecretGeneration),
    ...(options.confirm !== undefined ? { confirm: options.confirm } : {}),
  };
}

/** The stack-name prefix, or a one-line error. @default 'graminsta' */
export function validateAppName(appName: string | undefined): string {
  const name = appName ?? DEFAULT_APP_NAME;
  if (!APP_NAME.test(name)) throw new Error(`invalid appName "${name}": use a letter then up to 39 letters, digits or hyphens`);
  return name;
}

/** The four stacks, in deployment order. Their names never contain the stage, so a stage change updates the same stacks. */
export const STACK_KINDS = ['Network', 'Data', 'App', 'Monitoring'] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/** `<appName>-<kind>`: the stack's name. */
export function stackName(appName: string, kind: StackKind): string {
  return `${appName}-${kind}`;
}

function generation(value: number | string | undefined): number {
  if (value === undefined || value === '') return 1;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`invalid originSecretGeneration "${String(value)}": expected a whole number from 1`);
  return n;
}

/** The spec with `extra` more primaries; one-line errors for a bad count or an unsharded stage. */
function withExtraPrimaries(spec: StageSpec, extra: number | string | undefined): StageSpec {
  if (extra === undefined || extra === '' || extra === 0 || extra === '0') return spec;
  const count = typeof extra === 'number' ? extra : /^\d+$/.test(extra) ? Number(extra) : NaN;
  if (spec.database.kind !== 'rds' || !spec.sharding) {
    throw new Error(`extraPrimaries needs a sharded stage (1m); stage ${spec.name} has one database`);
  }
  const most = MAX_PRIMARIES - spec.database.primaries;
  if (!Number.isInteger(count) || count < 0 || count > most) {
    throw new Error(`invalid extraPrimaries "${String(extra)}": expected a whole number from 0 to ${most} (at most ${MAX_PRIMARIES} primaries in all)`);
  }
  return { ...spec, database: { ...spec.database, primaries: spec.database.primaries + count } };
}
