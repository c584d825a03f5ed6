import { REGION_NAME } from '../contracts/region-config';
import { stageSpec, type StageName, type StageSpec } from '../stages/ladder';

/** The app's options as the entry point reads them from context. */
export interface AppOptions {
  /** One of the stage names; anything else throws a one-line error naming them. */
  readonly stage: StageName | string;
  /** Stack-name prefix. @default 'graminsta' */
  readonly appName?: string;
  /** E-mail address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /**
   * Custom domain for CloudFront (every stage); needs `certificateArn`.
   * Required at 10m, where the API's latency records live under it.
   * @default the CloudFront domain
   */
  readonly domainName?: string;
  /**
   * The two regions of stage 10m, home first: `us-east-1,eu-west-1`. The home
   * region keeps the stage's stacks (their names unchanged); the second gets
   * stacks named with its region. Required at 10m, refused below it. Which
   * region takes writes afterwards is run-time configuration (npm run failover),
   * not this option: keep it as first deployed.
   * @default one region (the CLI's)
   */
  readonly regions?: string;
  /**
   * The public Route 53 hosted zone holding `domainName` (its ID, `Z…`): stage
   * 10m writes the API's latency records and regional names there. Required at
   * 10m. Taken as given, never looked up, so synthesis needs no credentials.
   * @default none
   */
  readonly hostedZoneId?: string;
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
/** Route 53 hosted zone IDs: `Z` then upper-case letters and digits. */
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** A DNS name of at least two labels, lower case (Route 53 stores names in lower case). */
const DOMAIN_NAME = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An AWS region name (`REGION_NAME` also admits the local tests' `region-a`, which is no place to deploy). */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CLOUDFRONT_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/;

/**
 * Checks the options and returns the stage's spec and the app name; throws a
 * one-line error for the first bad value. Light on purpose (no CDK imports),
 * so bad input fails fast, before anything is built.
 */
/** The two regions of stage 10m, as `-c regions=<home>,<second>` gives them. */
export interface AppRegions {
  readonly home: string;
  readonly second: string;
}

/** What `validateOptions` returns: the options checked and parsed. */
export interface ValidatedOptions {
  readonly spec: StageSpec;
  readonly appName: string;
  readonly originSecretGeneration: number;
  readonly confirm?: string;
  /** 10m. */
  readonly regions?: AppRegions;
  /** 10m. */
  readonly hostedZoneId?: string;
}

export function validateOptions(options: AppOptions): ValidatedOptions {
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
  const regions = validateRegions(spec, options);
  return {
    spec: withExtraPrimaries(spec, options.extraPrimaries),
    ...(regions ? { regions, hostedZoneId: options.hostedZoneId } : {}),
    appName,
    originSecretGeneration: generation(options.originSecretGeneration),
    ...(options.confirm !== undefined ? { confirm: options.confirm } : {}),
  };
}

/** Stage 10m's regions, domain and hosted zone: required there, refused below (one-line errors naming the key). */
function validateRegions(spec: StageSpec, options: AppOptions): AppRegions | undefined {
  if (!spec.regions) {
    for (const key of ['regions', 'hostedZoneId'] as const) {
      if (options[key] !== undefined) throw new Error(`${key} is for stage 10m (two regions); stage ${spec.name} runs in one region: leave ${key} out`);
    }
    return undefined;
  }
  if (options.regions === undefined) throw new Error(`stage ${spec.name} needs regions: pass -c regions=<home>,<second> (e.g. us-east-1,eu-west-1)`);
  const regions = parseRegions(options.regions);
  if (options.domainName === undefined) throw new Error(`stage ${spec.name} needs domainName: pass -c domainName=<name in the hosted zone> (and certificateArn)`);
  if (!DOMAIN_NAME.test(options.domainName)) throw new Error(`invalid domainName "${options.domainName}": expected a lower-case DNS name such as app.example.com`);
  if (options.hostedZoneId === undefined) throw new Error(`stage ${spec.name} needs hostedZoneId: pass -c hostedZoneId=<the public Route 53 zone of ${options.domainName}>`);
  if (!HOSTED_ZONE_ID.test(options.hostedZoneId)) throw new Error(`invalid hostedZoneId "${options.hostedZoneId}": expected a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ`);
  return regions;
}

/** `-c regions=<home>,<second>` parsed, or a one-line error naming the key. */
export function parseRegions(raw: string): AppRegions {
  const names = raw.split(',').map((name) => name.trim());
  if (names.length !== 2 || names.some((name) => !AWS_REGION.test(name) || !REGION_NAME.test(name))) {
    throw new Error(`invalid regions "${raw}": expected two AWS regions, home first (us-east-1,eu-west-1)`);
  }
  if (names[0] === names[1]) throw new Error(`invalid regions "${raw}": the second region must differ from the home region`);
  return { home: names[0], second: names[1] };
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

/**
 * The regions, domain, certificate and hosted zone that the offline tools
 * (`npm run review`, `plan`, `diagrams`, `compliance`) and the tests
 * synthesize stage 10m with when they are given none (`synthStage`): example
 * values of the right shape, so that every stage can be synthesized and
 * compared without anyone's account. `cdk synth` and `cdk deploy` never use
 * them: bin/app.ts requires the real ones.
 */
export const EXAMPLE_REGION_OPTIONS = {
  regions: 'us-east-1,eu-west-1',
  domainName: 'app.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
  hostedZoneId: 'Z0EXAMPLE0000000000000',
} as const satisfies Partial<AppOptions>;

/** `<appName>-<kind>`: the stack's name. */
export function stackName(appName: string, kind: StackKind): string {
  return `${appName}-${kind}`;
}

/** The second region's stacks (10m), in deployment order. */
export const SECOND_REGION_STACK_KINDS = ['Network', 'Data', 'App', 'Monitoring'] as const;
export type SecondRegionStackKind = (typeof SECOND_REGION_STACK_KINDS)[number];

/**
 * `<appName>-<region>-<kind>`: a second-region stack's name, tagged with its
 * region, never the stage (`graminsta-eu-west-1-Data`), so that the home
 * region's names stay as every stage had them and a later stage keeps these.
 */
export function regionalStackName(appName: string, region: string, kind: SecondRegionStackKind): string {
  return `${appName}-${region}-${kind}`;
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
