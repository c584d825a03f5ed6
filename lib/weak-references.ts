import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { replacementOnChange } from './resource-spec';

/**
 * Keeping weak cross-stack references current.
 *
 * A consumer reads a producer's output with `Fn::GetStackOutput`, which
 * CloudFormation resolves only when it creates or updates the consumer stack
 * ("If the referenced stack or output is later deleted or modified, the
 * consuming stack is not automatically updated or notified"). `cdk deploy`
 * skips a stack whose template did not change, and replacing a resource in the
 * producer (a security group, a read replica) changes its ID or endpoint
 * without changing the text `{"Fn::GetStackOutput": {...}}` in the consumer:
 * the consumer would keep the old value.
 *
 * So every consumer resource carries, in its `Metadata` under
 * `graminsta:references`, a fingerprint of each output it reads: the output's
 * expression with every producer resource it names replaced by that resource's
 * fingerprint, which covers its type and the properties whose change replaces
 * it (the resource specification's `causesReplacement`, as `npm run review`
 * reads it), following references: a replica rebuilt because its source was
 * replaced changes too. A replacement in the producer therefore changes the
 * consumer's template, `cdk deploy` updates the consumer, and CloudFormation
 * resolves the new value. A resource that reads another stack's value through
 * a same-stack resource in its metadata (the API's env file, which cfn-init
 * reads from an SSM parameter) carries that resource's fingerprints too.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
 */
export const REFERENCES_METADATA = 'graminsta:references';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** The parts of a synthesized template this reads. */
export interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/** A producer's template by stack name (undefined for a stack outside the app). */
export type TemplateOf = (stackName: string) => Template | undefined;

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);

/** `stack/output` of every `Fn::GetStackOutput` with literal names in a value. */
export function weakReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => weakReferences(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
      const args = nested as { StackName?: unknown; OutputName?: unknown } | undefined;
      if (key === 'Fn::GetStackOutput' && typeof args?.StackName === 'string' && typeof args.OutputName === 'string') into.add(`${args.StackName}/${args.OutputName}`);
      else if (key !== REFERENCES_METADATA) weakReferences(nested, into);
    }
  }
  return into;
}

/** Logical IDs a value names with `Ref`, `Fn::GetAtt` or `${Id}` in `Fn::Sub` (pseudo parameters included; callers filter). */
function namedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => namedIds(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof arg === 'string') into.add(arg);
      else if (key === 'Fn::GetAtt') into.add(String(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        for (const match of typeof text === 'string' ? text.matchAll(/\$\{([^!}][^}]*)\}/g) : []) into.add(match[1].split('.')[0]);
        if (Array.isArray(arg)) namedIds(arg[1], into);
      } else if (key !== REFERENCES_METADATA) namedIds(arg, into);
    }
  }
  return into;
}

/** Fingerprints of producer outputs and resources, over the app's templates. */
export class ReferenceFingerprints {
  private readonly resources = new Map<string, string>();

  constructor(private readonly templateOf: TemplateOf) {}

  /** What `Fn::GetStackOutput` of `stack`'s `output` stands for: the output's expression, each resource it names fingerprinted. */
  public output(stack: string, output: string): string {
    const value = this.templateOf(stack)?.Outputs?.[output]?.Value;
    if (value === undefined) throw new Error(`${stack} has no output ${output} (read with Fn::GetStackOutput)`);
    return hash(this.expand(stack, value));
  }

  /** Changes exactly when the resource is replaced: its type and its replacement-forcing properties, references followed. */
  public resource(stack: string, logicalId: string): string {
    const key = `${stack}/${logicalId}`;
    const known = this.resources.get(key);
    if (known !== undefined) return known;
    // CloudFormation forbids reference cycles; the marker only guards against a malformed template.
    this.resources.set(key, 'cycle');
    const resource = this.templateOf(stack)?.Resources?.[logicalId];
    if (!resource) throw new Error(`${stack} has no resource ${logicalId}`);
    const forcing = Object.entries(resource.Properties ?? {}).filter(([name]) => replacementOnChange(resource.Type, name) !== 'no');
    const fingerprint = hash({ type: resource.Type, properties: this.expand(stack, Object.fromEntries(forcing)) });
    this.resources.set(key, fingerprint);
    return fingerprint;
  }

  /** `stack/output` → fingerprint for every weak reference in a value (sorted, for a stable template). */
  public of(value: unknown): Record<string, string> {
    return Object.fromEntries(
      [...weakReferences(value)].sort().map((reference) => {
        const [stack, output] = reference.split('/');
        return [reference, this.output(stack, output)];
      }),
    );
  }

  /** The value with every resource it names (in `stack`) and every weak reference annotated with its fingerprint. */
  private expand(stack: string, value: unknown): unknown {
    const resources = this.templateOf(stack)?.Resources ?? {};
    const names = [...namedIds(value)].filter((id) => id in resources).sort();
    return { value, resources: names.map((id) => [id, this.resource(stack, id)]), weak: this.of(value) };
  }
}

/**
 * The template with `graminsta:references` metadata on every resource that
 * reads another stack's output, directly or through a same-stack resource its
 * metadata names.
 */
export function withReferenceFingerprints<T extends Template>(template: T, templateOf: TemplateOf): T {
  const fingerprints = new ReferenceFingerprints(templateOf);
  const resources = template.Resources ?? {};
  const reads = new Map<string, Set<string>>();
  const readsOf = (id: string): Set<string> => {
    const known = reads.get(id);
    if (known) return known;
    const found = new Set<string>();
    reads.set(id, found);
    const resource = resources[id];
    weakReferences([resource.Properties, resource.Metadata], found);
    for (const other of namedIds(resource.Metadata)) if (other !== id && other in resources) readsOf(other).forEach((r) => found.add(r));
    return found;
  };
  for (const [id, resource] of Object.entries(resources)) {
    const read = [...readsOf(id)].sort();
    if (read.length === 0) continue;
    resource.Metadata = {
      ...resource.Metadata,
      [REFERENCES_METADATA]: Object.fromEntries(read.map((r) => [r, fingerprints.output(r.split('/')[0], r.split('/')[1])])),
    };
  }
  return template;
}

/** A stack that can render its template for another stack's fingerprints (StageStack). */
export interface RendersTemplate {
  renderTemplate(): Template;
}

function rendersTemplate(construct: IConstruct): construct is Stack & RendersTemplate {
  return Stack.isStack(construct) && typeof (construct as unknown as Partial<RendersTemplate>).renderTemplate === 'function';
}

let renderCache: Map<string, Template> | undefined;

/** Runs `render` with one cache of other stacks' rendered templates (a stack's rendering may need its producers', and theirs). */
export function withRenderCache<T>(render: () => T): T {
  const outermost = renderCache === undefined;
  renderCache ??= new Map();
  try {
    return render();
  } finally {
    if (outermost) renderCache = undefined;
  }
}

/** The synthesized template of the app's stack named `stackName`, as `scope`'s stack sees it at synthesis. */
export function templateOfStack(scope: IConstruct, stackName: string): Template | undefined {
  return withRenderCache(() => {
    const cached = renderCache!.get(stackName);
    if (cached) return cached;
    const stack = scope.node.root.node.findAll().find((c) => rendersTemplate(c) && c.stackName === stackName) as (Stack & RendersTemplate) | undefined;
    const template = stack?.renderTemplate();
    if (template) renderCache!.set(stackName, template);
    return template;
  });
}

/**
 * One fingerprint of every other-stack value `value` reads, for a scope that
 * must change when any of them is replaced (the fleet's user data, so it
 * rolls). Meant for `Lazy.uncachedString`: it needs the producers' templates,
 * which exist only at synthesis.
 */
export function weakReferencesFingerprint(scope: IConstruct, value: unknown): string {
  const stack = Stack.of(scope);
  const resolved = stack.resolve(value);
  return hash(new ReferenceFingerprints((name) => templateOfStack(scope, name)).of(resolved));
}
