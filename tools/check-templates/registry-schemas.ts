import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Resource, SpecDatabase } from '@aws-cdk/service-spec-types';
import { RESOLVED_AT_LAUNCH_IMAGE_ID } from '../../lib';
import { referencedIds } from '../review/references';
import type { CfnTemplate } from '../review/template';
import { dotted, type TemplateFinding } from './finding';
import { cloudFormationValidate, type Diagnostic, type ValidateConfig, validationEngine } from './private/cloudformation-validate';

/**
 * Rules that aws-cdk-lib's synth-time validation leaves out
 * (`core/lib/validation/cloudformation-validate-plugin.js`, `IGNORE_RULES` and
 * the Auto Scaling exclusion): style findings about what CDK itself generates
 * (DependsOn it adds beside a Ref, `Fn::Sub` without variables, the absent
 * `Metadata.com.aws.cloudformation.Context` blocks, ARNs it writes out).
 * CDK also leaves out W1103 (unknown intrinsic function); this check keeps it.
 */
const IGNORED_RULES = ['W3005', 'W1020', 'I4010', 'W4011', 'W4012', 'W9002', 'W9013'];

/**
 * Warnings that are schema or data violations CloudFormation or the service
 * rejects, so they fail this check. The validator reports an enum miss
 * (`W3030`: a log retention of 8 days, a gp9 volume, an unknown Lambda runtime)
 * only as a warning, and CDK fails a synth on errors alone.
 */
const PROMOTED_WARNINGS: Readonly<Record<string, string>> = {
  W3030: 'value outside the schema enum',
  W9007: 'array items must be unique',
  W1030: 'a Ref resolves to a value the property rejects',
  W1031: 'an Fn::Sub resolves to a value the property rejects',
  W1032: 'an Fn::Join resolves to a value the property rejects',
  W1033: 'an Fn::Split resolves to a value the property rejects',
  W1034: 'an Fn::FindInMap resolves to a value the property rejects',
  W1035: 'an Fn::Select resolves to a value the property rejects',
  W1036: 'an Fn::GetAZs resolves to a value the property rejects',
  W1102: 'invalid intrinsic function usage',
  W1103: 'unknown intrinsic function',
  W2531: 'Lambda runtime past its end of life',
  W9052: 'validation budget exhausted: the template was not fully checked',
};

/** As `cdk synth` validates an environment-agnostic stack: standard detail, no region (instance types are checked against every region). */
const VALIDATE_CONFIG: ValidateConfig = {
  detailLevel: 'STANDARD',
  severityLevel: 'WARN',
  exclude: { ids: IGNORED_RULES, services: [{ ruleId: 'W3697', service: 'AWS::AutoScaling' }] },
};

type Json = Record<string, unknown>;

/** The value at a validator `propertyPath` (`Properties.LaunchTemplateData.ImageId`) of a resource. */
function valueAt(resource: unknown, propertyPath: string | undefined): unknown {
  let value = resource;
  for (const key of (propertyPath ?? '').split('.').filter(Boolean)) value = (value as Json | undefined)?.[key];
  return value;
}

/** Acknowledged on purpose in lib/ (with `Validations.of(...).acknowledge`); the template does not carry acknowledgements, so they are matched here. */
function acknowledged(diagnostic: Diagnostic, template: CfnTemplate): boolean {
  const resource = diagnostic.entity?.entityType === 'Resource' ? template.Resources?.[diagnostic.entity.logicalId] : undefined;
  if (diagnostic.ruleId === RESOLVED_AT_LAUNCH_IMAGE_ID.rule) {
    const value = valueAt(resource, diagnostic.propertyPath);
    return typeof value === 'string' && value.startsWith('resolve:ssm:');
  }
  return false;
}

function diagnosticPath(diagnostic: Diagnostic): string {
  const id = diagnostic.entity?.logicalId;
  const section = diagnostic.entity?.entityType === 'Resource' ? 'Resources' : diagnostic.entity?.entityType === 'Output' ? 'Outputs' : undefined;
  return [section, id, diagnostic.propertyPath].filter(Boolean).join('.');
}

/**
 * The template against the CloudFormation registry schemas and data tables
 * bundled in `@aws/cloudformation-validate`: required, unknown (F3002) and
 * mistyped properties (F3012), patterns (F3031), lengths and ranges (F3033,
 * F3034), enums (W3030), RDS engine versions (E9006) and instance classes per
 * engine (E3025) and per engine version (E3062, where its table has the
 * version), EC2 instance types (E3628), ElastiCache node types of cache
 * clusters (E3647), deprecated Lambda runtimes (E2531, E2533), and the rest of
 * its rules. Errors fail; the warnings in PROMOTED_WARNINGS fail too.
 */
export function validateWithRegistrySchemas(stack: string, template: CfnTemplate): TemplateFinding[] {
  const { TemplateContent } = cloudFormationValidate();
  const report = validationEngine().validateTemplate(new TemplateContent(JSON.stringify(template), stack), VALIDATE_CONFIG);
  const findings: TemplateFinding[] = [];
  if (report.status !== 'OK') {
    findings.push({ stack, path: '', rule: 'validator-status', severity: 'error', message: `the validator reported status ${report.status}: the template was not fully checked` });
  }
  for (const d of report.diagnostics) {
    if (acknowledged(d, template)) continue;
    const failing = d.severity === 'ERROR' || d.severity === 'FATAL' || d.ruleId in PROMOTED_WARNINGS;
    findings.push({ stack, path: diagnosticPath(d), rule: d.ruleId, severity: failing ? 'error' : 'warning', message: d.message });
  }
  return [...findings, ...readOnlyProperties(stack, template), ...replicaInstanceClasses(stack, template), ...replicationGroupNodeTypes(stack, template)];
}

let spec: SpecDatabase | undefined;
const models = new Map<string, Resource | undefined>();

function model(type: string): Resource | undefined {
  spec ??= loadAwsServiceSpecSync();
  if (!models.has(type)) models.set(type, spec.lookup('resource', 'cloudFormationType', 'equals', type)[0]);
  return models.get(type);
}

/**
 * Read-only properties (a schema's `readOnlyProperties`: `Arn` of a queue,
 * `Endpoint` of a database) in a template: CloudFormation rejects them, yet the
 * validator lets them through (its E3040 did not fire on any we tried). The
 * resource specification (`@aws-cdk/aws-service-spec`) lists them as
 * attributes and leaves them out of the properties; nested ones are dotted
 * attributes under a writable property (`MasterUserSecret.SecretArn`).
 */
export function readOnlyProperties(stack: string, template: CfnTemplate): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const m = model(resource.Type);
    if (!m || !resource.Properties) continue;
    for (const name of Object.keys(resource.Properties)) {
      if (!(name in m.properties) && name in m.attributes) {
        findings.push({ stack, path: dotted(['Resources', id, 'Properties', name]), rule: 'read-only-property', severity: 'error', message: `${name} is read-only in ${resource.Type} (an attribute to read with Fn::GetAtt, not a property to set)` });
      }
    }
    for (const attribute of Object.keys(m.attributes)) {
      const [head, ...rest] = attribute.split('.');
      if (rest.length === 0 || !(head in m.properties)) continue;
      if (valueAt(resource.Properties, attribute) !== undefined) {
        findings.push({ stack, path: dotted(['Resources', id, 'Properties', attribute]), rule: 'read-only-property', severity: 'error', message: `${attribute} is read-only in ${resource.Type}` });
      }
    }
  }
  return findings;
}

const probes = new Map<string, Diagnostic[]>();

/** The validator's findings on one resource alone, to ask its data tables about a combination the template spreads over two resources. */
function probe(resource: Json): Diagnostic[] {
  const key = JSON.stringify(resource);
  if (!probes.has(key)) {
    const { TemplateContent } = cloudFormationValidate();
    const report = validationEngine().validateTemplate(new TemplateContent(JSON.stringify({ Resources: { Probe: resource } }), 'probe'), VALIDATE_CONFIG);
    probes.set(key, report.diagnostics);
  }
  return probes.get(key)!;
}

const literal = (value: unknown): value is string => typeof value === 'string';

/**
 * A read replica names no engine (`SourceDBInstanceIdentifier` instead), so
 * the validator cannot check its instance class against the engine and
 * version (E3025, E3062). This asks it about the class with the source
 * database's engine and version, when the source is in the same template.
 */
export function replicaInstanceClasses(stack: string, template: CfnTemplate): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const resources = template.Resources ?? {};
  for (const [id, resource] of Object.entries(resources)) {
    const props = (resource.Properties ?? {}) as Json;
    if (resource.Type !== 'AWS::RDS::DBInstance' || props.SourceDBInstanceIdentifier === undefined || props.Engine !== undefined) continue;
    const sourceId = [...referencedIds(props.SourceDBInstanceIdentifier)].find((ref) => resources[ref]?.Type === 'AWS::RDS::DBInstance');
    const source = sourceId ? ((resources[sourceId].Properties ?? {}) as Json) : undefined;
    if (!source || !literal(source.Engine) || !literal(props.DBInstanceClass)) continue;
    const asPrimary = { Engine: source.Engine, DBInstanceClass: props.DBInstanceClass, AllocatedStorage: '20', StorageEncrypted: true, ...(literal(source.EngineVersion) ? { EngineVersion: source.EngineVersion } : {}) };
    for (const d of probe({ Type: 'AWS::RDS::DBInstance', Properties: asPrimary })) {
      if (!['E3025', 'E3062'].includes(d.ruleId)) continue;
      findings.push({ stack, path: dotted(['Resources', id, 'Properties', 'DBInstanceClass']), rule: d.ruleId, severity: 'error', message: `as a replica of ${sourceId} (${source.Engine} ${source.EngineVersion ?? ''}): ${d.message}` });
    }
  }
  return findings;
}

/**
 * The validator checks ElastiCache node types only on `AWS::ElastiCache::CacheCluster`
 * (E3647); this asks it about each replication group's node type as a cache
 * cluster's.
 */
export function replicationGroupNodeTypes(stack: string, template: CfnTemplate): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const props = (resource.Properties ?? {}) as Json;
    if (resource.Type !== 'AWS::ElastiCache::ReplicationGroup' || !literal(props.CacheNodeType)) continue;
    const engine = literal(props.Engine) ? props.Engine : 'redis';
    for (const d of probe({ Type: 'AWS::ElastiCache::CacheCluster', Properties: { CacheNodeType: props.CacheNodeType, Engine: engine, NumCacheNodes: 1 } })) {
      if (d.ruleId !== 'E3647') continue;
      findings.push({ stack, path: dotted(['Resources', id, 'Properties', 'CacheNodeType']), rule: d.ruleId, severity: 'error', message: d.message });
    }
  }
  return findings;
}
