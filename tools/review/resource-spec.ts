import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { SpecDatabase, Resource } from '@aws-cdk/service-spec-types';

/**
 * What the AWS resource specification (`@aws-cdk/aws-service-spec`, the same
 * database `cdk diff` uses) says about a resource type. Loading it takes about
 * a second, so it is loaded once per process, on first use.
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

/** True when the spec flags the type as holding data (databases, volumes, buckets, queues, secrets, ...). */
export function isStatefulType(type: string): boolean {
  return model(type)?.isStateful === true;
}

/** True when the spec knows the type (custom resources and typos are unknown). */
export function isKnownType(type: string): boolean {
  return model(type) !== undefined;
}

export type ReplacementOnChange = 'yes' | 'maybe' | 'no';

/** Whether changing a top-level property of the type replaces the resource. */
export function replacementOnChange(type: string, property: string): ReplacementOnChange {
  const resource = model(type);
  if (!resource) return 'no';
  const extra = resource.additionalReplacementProperties ?? [];
  if (extra.some((path) => path[0] === property)) return 'yes';
  return resource.properties[property]?.causesReplacement ?? 'no';
}
