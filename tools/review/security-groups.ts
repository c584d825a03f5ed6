import type { StackTemplates, CfnResource } from './template';
import type { Problem } from './problem';

/** An ingress rule open to the whole internet. */
export interface WorldOpenRule {
  readonly stack: string;
  /** The security group's logical ID (or its literal ID when it is not in the template). */
  readonly group: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: '0.0.0.0/0' | '::/0';
}

const WORLD = ['0.0.0.0/0', '::/0'] as const;

function groupId(value: unknown): string {
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return record.Ref;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return String(getAtt[0]);
  }
  return JSON.stringify(value);
}

function toRule(stack: string, group: string, entry: Record<string, unknown>): WorldOpenRule[] {
  const protocol = String(entry.IpProtocol ?? '-1');
  const all = protocol === '-1' || protocol === 'all';
  const fromPort = all ? 0 : Number(entry.FromPort ?? 0);
  const toPort = all ? 65535 : Number(entry.ToPort ?? fromPort);
  return WORLD.filter((cidr) => entry.CidrIp === cidr || entry.CidrIpv6 === cidr).map((cidr) => ({ stack, group, protocol: all ? 'all' : protocol, fromPort, toPort, cidr }));
}

/** Every world-open ingress rule of a stage, inline or as separate ingress resources. */
export function worldOpenRules(stacks: StackTemplates): WorldOpenRule[] {
  const rules: WorldOpenRule[] = [];
  for (const [stack, template] of Object.entries(stacks)) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {}) as [string, CfnResource][]) {
      const props = (resource.Properties ?? {}) as Record<string, unknown>;
      if (resource.Type === 'AWS::EC2::SecurityGroup') {
        for (const entry of (props.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []) rules.push(...toRule(stack, logicalId, entry));
      } else if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
        rules.push(...toRule(stack, groupId(props.GroupId), props));
      }
    }
  }
  return rules;
}

/**
 * CDK's inline egress rule for a group that may send nothing by itself (ICMP
 * type 252 code 86 to 255.255.255.255/32 matches no traffic), as a template
 * holds it.
 */
function isMatchNoTrafficRule(rule: unknown): boolean {
  const r = (rule ?? {}) as Record<string, unknown>;
  return r.CidrIp === '255.255.255.255/32' && r.IpProtocol === 'icmp' && Number(r.FromPort) === 252 && Number(r.ToPort) === 86;
}

/**
 * What an inline egress change means when `cdk diff`'s table cannot say it: a
 * group that listed no egress of its own (so EC2 gave it the allow-all rule
 * when it was created) now lists only the match-nothing rule, so it sends only
 * where its separate AWS::EC2::SecurityGroupEgress rules say.
 */
export function describeInlineEgressChange(before: unknown, after: unknown): string | undefined {
  const rules = (value: unknown) => (Array.isArray(value) ? value : []);
  if (rules(before).length > 0 || rules(after).length === 0 || !rules(after).every(isMatchNoTrafficRule)) return undefined;
  return "SecurityGroupEgress changes from none of its own (EC2's default allow-all) to CDK's match-nothing rule: the group sends only where its separate egress rules allow";
}

/** Where a stage's public entry point listens (TCP ports open to the world on purpose). */
export interface PublicEntry {
  readonly tcpPorts: readonly number[];
}

function key(rule: WorldOpenRule): string {
  return `${rule.stack}/${rule.group}/${rule.protocol}/${rule.fromPort}-${rule.toPort}/${rule.cidr}`;
}

function withinEntry(rule: WorldOpenRule, entry: PublicEntry): boolean {
  return rule.protocol === 'tcp' && rule.fromPort === rule.toPort && entry.tcpPorts.includes(rule.fromPort);
}

/**
 * World-open rules of `after` beyond the new stage's public entry point. New
 * ones are the issue's rule; ones kept from `before` are flagged too, because
 * an entry point that moves (instance to CloudFront at 100) must close the old door.
 */
export function checkWorldOpenPorts(before: StackTemplates, after: StackTemplates, entry: PublicEntry): Problem[] {
  const existing = new Set(worldOpenRules(before).map(key));
  return worldOpenRules(after)
    .filter((rule) => !withinEntry(rule, entry))
    .map((rule) => ({
      rule: 'world-open-port' as const,
      stack: rule.stack,
      logicalId: rule.group,
      message: `security group ${rule.group} ${existing.has(key(rule)) ? 'keeps' : 'opens'} ${rule.protocol} ${
        rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`
      } open to ${rule.cidr}, beyond the stage's public entry point (tcp ${entry.tcpPorts.join(', ') || 'none'})`,
    }));
}
