/**
 * The parts of a CloudFormation template the review reads. Templates come from
 * `synthStage`, from files, or from CloudFormation's GetTemplate, so nothing
 * here assumes CDK produced them.
 */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | readonly string[];
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Condition?: string;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
}

export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
  readonly [section: string]: unknown;
}

/** Every stack of one stage (or one deployment), by stack name. */
export type StackTemplates = Readonly<Record<string, CfnTemplate>>;

/** The construct path CDK records in a resource's metadata, when there is one. */
export function constructPath(resource: CfnResource | undefined): string | undefined {
  const path = resource?.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/** Resources of a template (empty when it has none). */
export function resourcesOf(template: CfnTemplate | undefined): Readonly<Record<string, CfnResource>> {
  return template?.Resources ?? {};
}
