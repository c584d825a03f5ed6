import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { SpecDatabase, Resource } from '@aws-cdk/service-spec-types';

/**
 * What the AWS resource specification (`@aws-cdk/aws-service-spec`, the same
 * database `cdk diff` uses) says about a resource type. Loading it takes about
 * a second, so it is loaded once per process, on first use.
 *
 * The one home of these facts for the app (`lib/weak-references.ts`) and the
 * tools (`tools/review`, through `lib/index.ts`).
 */
let database: SpecDatabase | undefined;

function spec(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

const models = new Map<string, Resource | undefined>();

function model(type: string): Resource | undefined {
  if (!models.has(type)) models.set(type, spec().lookup('resource', 'cloudFormationType', 'equals', type)[0]);
  return models.get(type);
}

/**
 * True when the spec flags the type as holding data (databases, volumes,
 * buckets, queues, secrets, ...). This is what "stateful" means everywhere:
 * the review's at-risk and retention rules, the ladder invariants
 * (`test/lib/stacks/ladder-invariants.cases.ts`) and the transition registry
 * (`lib/transitions.ts`). Every type the spec flags must be retained and keep
 * its logical ID unless a planned change retires it.
 *
 * No overrides: for every type the seven stages synthesize, the flag says
 * what this app means. The nine flagged types in the templates (RDS instance,
 * EBS volume, S3 bucket, ElastiCache replication group, Secrets Manager
 * secret, SQS queue, log group, backup vault and KMS key, whose deletion makes
 * everything encrypted under it unreadable) are exactly those the hand list
 * this replaced named. Should the flag ever be wrong for a type the app uses,
 * the override goes here, with its reason, and nowhere else.
 */
export function isStatefulType(type: string): boolean {
  return model(type)?.isStateful === true;
}

/** True when the spec knows the type (custom resources and typos are unknown). */
export function isKnownType(type: string): boolean {
  return model(type) !== undefined;
}

export type ReplacementOnChange = 'yes' | 'maybe' | 'no';

const SSD_STORAGE = ['gp2', 'gp3', 'io1', 'io2'];

/** What is known about a "may replace" property change beyond the spec: made in place, or certainly a replacement. */
export type ConditionalVerdict = { readonly inPlace: string } | { readonly replaces: string } | undefined;

type ConditionalRule = (before: unknown, after: unknown, afterResource: { readonly UpdatePolicy?: Record<string, unknown> } | undefined) => ConditionalVerdict;

const onlineResharding: ConditionalRule = (_before, _after, resource) =>
  resource?.UpdatePolicy?.UseOnlineResharding === true
    ? { inPlace: 'ElastiCache reshards the cluster online (UpdatePolicy UseOnlineResharding: true)' }
    : { replaces: 'without UpdatePolicy UseOnlineResharding CloudFormation replaces the whole replication group: a new, empty cache with a new endpoint' };

/**
 * Changes the spec marks "may replace" (the type's conditionally create-only
 * properties) whose outcome is known, with the reason; `cdk diff` and the
 * change set still say "Conditional" for them. Kept to cases the documentation
 * or the resource handler's source shows: each entry names the condition.
 */
const CONDITIONAL: Readonly<Record<string, Readonly<Record<string, ConditionalRule>>>> = {
  'AWS::RDS::DBInstance': {
    // The DBInstance handler's immutability check (ImmutabilityHelper.isChangeMutable in
    // aws-cloudformation-resource-providers-rds) has no condition on StorageType: it calls ModifyDBInstance, and
    // CloudFormation documents the property as "Update requires: Some interruptions". Kept to SSD types, where the
    // RDS docs say the instance keeps serving while RDS converts the volume (status storage-optimization).
    StorageType: (before, after) =>
      SSD_STORAGE.includes(String(before)) && SSD_STORAGE.includes(String(after))
        ? { inPlace: 'RDS converts the storage in place while the instance serves (the change set still shows Replacement: Conditional)' }
        : undefined,
  },
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-useonlineresharding
  'AWS::ElastiCache::ReplicationGroup': { NumNodeGroups: onlineResharding, NodeGroupConfiguration: onlineResharding },
};

/**
 * What is known about a "may replace" property change: made in place (with
 * why), certainly a replacement (with why), or undefined when the spec's
 * "may replace" stands. `afterResource` is the resource in the new template
 * (its UpdatePolicy can decide).
 */
export function conditionalVerdict(type: string, property: string, before: unknown, after: unknown, afterResource?: { readonly UpdatePolicy?: Record<string, unknown> }): ConditionalVerdict {
  return CONDITIONAL[type]?.[property]?.(before, after, afterResource);
}

/** Whether changing a top-level property of the type replaces the resource. */
export function replacementOnChange(type: string, property: string): ReplacementOnChange {
  const resource = model(type);
  if (!resource) return 'no';
  const extra = resource.additionalReplacementProperties ?? [];
  if (extra.some((path) => path[0] === property)) return 'yes';
  return resource.properties[property]?.causesReplacement ?? 'no';
}
