import type { ResourceChange } from './resource-change';
import { resourcesOf, type CfnResource, type StackTemplates } from './template';

/**
 * What a change does to the running app while CloudFormation applies it:
 * - `outage`: requests fail for a while;
 * - `degraded`: requests are served, slower or by fewer nodes;
 * - `notice`: no user-visible effect expected, worth knowing (e.g. edge propagation);
 * - `risk`: the deploy itself may fail (and roll back) under a known condition.
 */
export type InterruptionKind = 'outage' | 'degraded' | 'notice' | 'risk';

export interface Interruption {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly kind: InterruptionKind;
  /** What users or operators see, one sentence. */
  readonly effect: string;
  /** Expected duration range in seconds (0 when nothing is interrupted, e.g. a risk). */
  readonly seconds: readonly [number, number];
  /** The AWS documentation the effect and duration come from. */
  readonly source: string;
}

type Props = Readonly<Record<string, unknown>>;

interface Rule {
  readonly type: string;
  /** The interruption this change causes, or undefined. */
  readonly check: (change: ResourceChange, before: Props | undefined, after: Props | undefined, afterResource: CfnResource | undefined) => Omit<Interruption, 'stack' | 'logicalId' | 'type'> | undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** Updated, or "may replace" but allowed by a runbook because it is made in place (RDS MultiAZ at 1k). */
const modified = (change: ResourceChange) => change.impact === 'update' || change.impact === 'may-replace';
const changed = (before: Props | undefined, after: Props | undefined, key: string) => before !== undefined && after !== undefined && !same(before[key], after[key]);

const RDS_CLASS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Modifying.html#USER_ModifyInstance.Settings';
const RDS_MULTI_AZ = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html';
const RDS_STORAGE = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.ModifyingExisting.html';
const RDS_REPLICAS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html';
const CACHE_SCALING = 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.RedisReplGrps.html';
const CACHE_RESHARDING = 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/scaling-redis-cluster-mode-enabled.html';
const CLOUDFRONT_UPDATES = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html';
const ASG_SIGNALS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-creationpolicy.html';
const EC2_TYPE = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-resize.html';
const STACK_CLEANUP = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html';

/**
 * The interruptions of the resource types and properties this app changes
 * between stages (and in ordinary code changes), with their source. Curated,
 * not exhaustive: a type or property missing here is reported as no
 * interruption, so a new kind of change needs a rule here first
 * (test/transitions/interruptions.test.ts pins the table on every upward pair).
 */
const RULES: readonly Rule[] = [
  {
    type: 'AWS::RDS::DBInstance',
    check: (change, before, after) => {
      if (!modified(change) || !changed(before, after, 'DBInstanceClass')) return undefined;
      if (after?.SourceDBInstanceIdentifier) {
        return { kind: 'degraded', effect: `read replica resized (${String(before!.DBInstanceClass)} → ${String(after.DBInstanceClass)}): it reboots and its reads go to the other replicas or the primary`, seconds: [120, 600], source: RDS_REPLICAS };
      }
      // A failover needs a standby that already exists: a change that turns Multi-AZ on resizes the primary itself.
      if (before?.MultiAZ === true && after?.MultiAZ === true) {
        return { kind: 'outage', effect: `instance class ${String(before!.DBInstanceClass)} → ${String(after.DBInstanceClass)} on a Multi-AZ database: the standby is resized, then RDS fails over; connections drop and writes fail until the API reconnects`, seconds: [60, 120], source: RDS_MULTI_AZ };
      }
      return { kind: 'outage', effect: `instance class ${String(before!.DBInstanceClass)} → ${String(after!.DBInstanceClass)} on a Single-AZ database: it is unavailable while RDS resizes it`, seconds: [300, 900], source: RDS_CLASS };
    },
  },
  {
    type: 'AWS::RDS::DBInstance',
    check: (change, before, after) =>
      modified(change) && before?.MultiAZ !== true && after?.MultiAZ === true
        ? { kind: 'degraded', effect: 'Multi-AZ turned on: RDS builds the standby from a snapshot and synchronizes it; no outage, but writes are slower until it catches up (longer for a large database)', seconds: [600, 3600], source: RDS_MULTI_AZ }
        : undefined,
  },
  {
    type: 'AWS::RDS::DBInstance',
    check: (change, before, after) =>
      modified(change) && changed(before, after, 'AllocatedStorage')
        ? {
            kind: 'risk',
            effect: `storage ${String(before!.AllocatedStorage)} → ${String(after!.AllocatedStorage)} GiB: RDS refuses a storage change within 6 hours of the last one, or below what storage autoscaling already reached (+10%); the deploy would then fail and roll back. Check the current allocated storage first`,
            seconds: [0, 0],
            source: RDS_STORAGE,
          }
        : undefined,
  },
  {
    type: 'AWS::ElastiCache::ReplicationGroup',
    check: (change, before, after) =>
      change.impact === 'update' && changed(before, after, 'CacheNodeType')
        ? { kind: 'degraded', effect: `node type ${String(before!.CacheNodeType)} → ${String(after!.CacheNodeType)}: ElastiCache scales online, replacing nodes shard by shard with a brief failover (seconds) in each`, seconds: [0, 30], source: CACHE_SCALING }
        : undefined,
  },
  {
    type: 'AWS::ElastiCache::ReplicationGroup',
    check: (change, before, after) =>
      change.impact === 'update' && changed(before, after, 'NumNodeGroups')
        ? { kind: 'degraded', effect: `${String(before!.NumNodeGroups)} → ${String(after!.NumNodeGroups)} shards: slots migrate online; commands to a slot in flight wait or are redirected, latency rises until it ends`, seconds: [600, 3600], source: CACHE_RESHARDING }
        : undefined,
  },
  {
    type: 'AWS::ElastiCache::ReplicationGroup',
    check: (change, before, after) =>
      change.impact === 'update' && changed(before, after, 'EngineVersion')
        ? { kind: 'outage', effect: `engine ${String(before!.EngineVersion)} → ${String(after!.EngineVersion)}: nodes are upgraded with a failover per shard; commands to a failing-over shard fail for seconds`, seconds: [5, 60], source: CACHE_SCALING }
        : undefined,
  },
  {
    type: 'AWS::EC2::Instance',
    check: (change, before, after) =>
      change.impact === 'update' && changed(before, after, 'InstanceType')
        ? { kind: 'outage', effect: `instance type ${String(before!.InstanceType)} → ${String(after!.InstanceType)}: the instance stops and starts; the API is down meanwhile`, seconds: [60, 300], source: EC2_TYPE }
        : undefined,
  },
  {
    type: 'AWS::EC2::Instance',
    check: (change) =>
      change.impact === 'destroy'
        ? { kind: 'outage', effect: 'the single API instance is terminated at the end of the deploy: requests that edge locations still send to it (CloudFront switches origins over minutes) fail', seconds: [0, 300], source: CLOUDFRONT_UPDATES }
        : undefined,
  },
  {
    // The public entry of stages 1-100: CloudFront's origin-facing prefix list allowed to the
    // instance. Removed resources go in the stack's clean-up phase, when that stack's update is
    // complete: the Network stack is deployed before the App stack creates the replacement entry.
    type: 'AWS::EC2::SecurityGroupIngress',
    check: (change, before) =>
      change.impact === 'destroy' && before?.SourcePrefixListId !== undefined
        ? {
            kind: 'outage',
            effect: "CloudFront's access to the instance is removed when this stack's update completes (its clean-up phase), before the stacks deployed after it create the new entry: the site is down until that serves",
            seconds: [600, 1800],
            source: STACK_CLEANUP,
          }
        : undefined,
  },
  {
    type: 'AWS::AutoScaling::AutoScalingGroup',
    check: (change) =>
      change.impact === 'add'
        ? { kind: 'outage', effect: 'the first fleet starts: until its first instances have run cfn-init and passed the load balancer\'s health checks, the load balancer has no healthy target and answers 503', seconds: [300, 900], source: ASG_SIGNALS }
        : undefined,
  },
  {
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    check: (change) =>
      change.impact === 'replace'
        ? { kind: 'outage', effect: 'a new load balancer replaces the old one: requests CloudFront still sends to the old one fail once it is deleted, and a target group serves one load balancer only, so the deploy can fail unless the target group is new too', seconds: [0, 300], source: CLOUDFRONT_UPDATES }
        : undefined,
  },
  {
    type: 'AWS::CloudFront::Distribution',
    check: (change, before, after) => {
      if (change.impact !== 'update') return undefined;
      const origins = (p: Props | undefined) => (p?.DistributionConfig as { Origins?: unknown } | undefined)?.Origins;
      const targets = (p: Props | undefined) => {
        const config = p?.DistributionConfig as { DefaultCacheBehavior?: { TargetOriginId?: string }; CacheBehaviors?: Array<{ PathPattern: string; TargetOriginId: string }> } | undefined;
        return [config?.DefaultCacheBehavior?.TargetOriginId, ...(config?.CacheBehaviors ?? []).map((b) => `${b.PathPattern}:${b.TargetOriginId}`)];
      };
      if (same(origins(before), origins(after)) && same(targets(before), targets(after))) return undefined;
      return { kind: 'notice', effect: 'an origin or a path\'s target changes: edge locations switch over within about 5 minutes, so the old and the new origin must both serve meanwhile', seconds: [0, 300], source: CLOUDFRONT_UPDATES };
    },
  },
];

/** The interruptions the reviewed changes cause, in stack and logical ID order. */
export function interruptionsOf(changes: readonly ResourceChange[], before: StackTemplates, after: StackTemplates): Interruption[] {
  const found: Interruption[] = [];
  for (const change of changes) {
    const beforeResource = resourcesOf(before[change.stack])[change.logicalId];
    const afterResource = resourcesOf(after[change.stack])[change.logicalId];
    for (const rule of RULES.filter((r) => r.type === change.type)) {
      const hit = rule.check(change, beforeResource?.Properties, afterResource?.Properties, afterResource);
      if (hit) found.push({ stack: change.stack, logicalId: change.logicalId, type: change.type, ...hit });
    }
  }
  return found;
}

/** Verdict classes of a stage change, from the review's problems, runbooks and interruptions. */
export type Verdict = 'safe' | 'safe-with-interruption' | 'needs-runbook' | 'unsafe';

export function verdictOf(problems: number, runbooks: number, interruptions: readonly Interruption[]): Verdict {
  if (problems > 0) return 'unsafe';
  if (runbooks > 0) return 'needs-runbook';
  return interruptions.some((i) => i.kind === 'outage' || i.kind === 'degraded') ? 'safe-with-interruption' : 'safe';
}

/** The longest expected outage, in seconds (0 when none). */
export function longestOutageSeconds(interruptions: readonly Interruption[]): number {
  return Math.max(0, ...interruptions.filter((i) => i.kind === 'outage').map((i) => i.seconds[1]));
}

export function formatSeconds(range: readonly [number, number]): string {
  const one = (s: number) => (s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`);
  return range[0] === range[1] ? one(range[1]) : `${one(range[0])}–${one(range[1])}`;
}
