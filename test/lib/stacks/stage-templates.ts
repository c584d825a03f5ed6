import { Template } from 'aws-cdk-lib/assertions';
import { synthStage } from '../../../lib/synth';
import { STAGE_NAMES, stageRange, type StageName } from '../../../stages/ladder';

/** The four stack kinds, by the suffix of their names. */
export const STACKS = ['Network', 'Data', 'App', 'Monitoring'] as const;
export type StackKind = (typeof STACKS)[number];

/** The stage's template of one stack as JSON (synthesized once per test file). */
export function templateJson(stage: StageName, stack: StackKind): Record<string, any> {
  return synthStage(stage)[`graminsta-${stack}`];
}

/** The same as an assertions `Template`. */
export function template(stage: StageName, stack: StackKind): Template {
  return Template.fromJSON(templateJson(stage, stack));
}

/** Resources of a type: logical ID → resource. */
export function resourcesOfType(stage: StageName, stack: StackKind, type: string): Record<string, any> {
  const resources = templateJson(stage, stack).Resources as Record<string, any>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
}

/** The construct path of a resource inside its stack (from the `aws:cdk:path` metadata). */
export function constructPath(resource: any): string {
  const path: string = resource.Metadata?.['aws:cdk:path'] ?? '';
  return path.split('/').slice(1).join('/');
}

export const ALL_STAGES: readonly StageName[] = STAGE_NAMES;

/** Stages from `from` upwards. */
export function stagesFrom(from: StageName): StageName[] {
  return stageRange(from);
}

/**
 * A template value with every intrinsic function shown as `<token>`, for reading text such as the env file;
 * with `resources`, an SSM parameter's `Fn::GetAtt [<id>, Value]` reads as the parameter's value.
 */
export function flatten(value: any, resources?: Record<string, any>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'];
    return (parts as any[]).map((part) => flatten(part, resources)).join(sep);
  }
  const [id, attribute] = (value?.['Fn::GetAtt'] ?? []) as [string?, string?];
  if (id && attribute === 'Value' && resources?.[id]?.Type === 'AWS::SSM::Parameter') return flatten(resources[id].Properties.Value, resources);
  return '<token>';
}

/**
 * The API's env file as cfn-init writes it on an instance or fleet of the App stack's `resources` (its
 * metadata reads the text from an SSM parameter: lib/constructs/compute/private/api-environment-parameter.ts).
 */
export function envFileText(resources: Record<string, any>): string {
  const host = Object.values(resources).find((r) => r.Type === 'AWS::EC2::Instance' || r.Type === 'AWS::AutoScaling::AutoScalingGroup');
  return flatten(host.Metadata['AWS::CloudFormation::Init'].api.files['/etc/graminsta/api.env'].content, resources);
}

/** The API's env file as cfn-init writes it on the stage's instance or fleet, `NAME=value` per line (comment lines left out). */
export function apiEnvFile(stage: StageName): Record<string, string> {
  return Object.fromEntries(
    envFileText(templateJson(stage, 'App').Resources)
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Every security group ingress rule of a stage, inline or separate, with the stack it is in. */
export function ingressRules(stage: StageName): Array<{ stack: StackKind; group: string; rule: any }> {
  const rules: Array<{ stack: StackKind; group: string; rule: any }> = [];
  for (const stack of STACKS) {
    for (const [id, r] of Object.entries(templateJson(stage, stack).Resources as Record<string, any>)) {
      if (r.Type === 'AWS::EC2::SecurityGroup') {
        for (const rule of r.Properties.SecurityGroupIngress ?? []) rules.push({ stack, group: id, rule });
      }
      if (r.Type === 'AWS::EC2::SecurityGroupIngress') rules.push({ stack, group: flatten(r.Properties.GroupId), rule: r.Properties });
    }
  }
  return rules;
}

/** The fleet's user data carries a hash of its cfn-init config (which names the bundle's asset hash): normalized for snapshots, like the asset hashes. */
export function withoutFingerprints(template: Record<string, any>): Record<string, any> {
  return JSON.parse(JSON.stringify(template).replace(/# fingerprint: [0-9a-f]+/g, '# fingerprint: [FINGERPRINT]'));
}

/** What a resource needs first in its own template (DependsOn, Ref, Fn::GetAtt). */
export function needs(resources: Record<string, any>, id: string): Set<string> {
  const found = new Set<string>(([] as string[]).concat(resources[id].DependsOn ?? []));
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && inner in resources) found.add(inner);
        else if (key === 'Fn::GetAtt' && Array.isArray(inner) && inner[0] in resources) found.add(inner[0] as string);
        else walk(inner);
      }
    }
  };
  walk(resources[id].Properties);
  return found;
}

/** The guard and what it needs, transitively (its function, role, policy, log group; a key). */
export function guardNeeds(resources: Record<string, any>, guardId: string): Set<string> {
  const own = new Set([guardId]);
  for (const pending = [guardId]; pending.length > 0; ) {
    for (const dep of needs(resources, pending.pop()!)) if (!own.has(dep)) (own.add(dep), pending.push(dep));
  }
  return own;
}

/**
 * The resources of a template that do not wait for its deploy guard (`id (type)`): none may, but the
 * guard's own (what it needs, transitively: its function, role, policy, log group) and KMS keys.
 */
export function notWaitingForGuard(resources: Record<string, any>): string[] {
  const [guardId] = Object.keys(resources).filter((id) => resources[id].Type === 'Custom::DeployGuard');
  const own = guardNeeds(resources, guardId);
  return Object.keys(resources)
    .filter((id) => !own.has(id) && !needs(resources, id).has(guardId) && resources[id].Type !== 'AWS::KMS::Key')
    .map((id) => `${id} (${resources[id].Type})`);
}
