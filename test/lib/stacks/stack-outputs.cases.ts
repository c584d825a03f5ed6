import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_OUTPUTS } from '../../../lib/stacks/stack-outputs';
import { weakReferences } from '../../../lib/weak-references';
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { stageSpec, type StageName } from '../../../stages/ladder';
import { ALL_STAGES, STACKS, type StackKind, templateJson } from './stage-templates';

const ROOT = join(__dirname, '..', '..', '..');

/** The operator's outputs of one stack (CDK's own `PublishOutput…` outputs for weak references left out). */
function outputs(stage: StageName, stack: StackKind): Record<string, { Value: unknown; Description?: string }> {
  const all = (templateJson(stage, stack).Outputs ?? {}) as Record<string, { Value: unknown; Description?: string }>;
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('PublishOutput')));
}

const SHARDED_DATA = [
  'DatabaseSecretArn',
  'DatabaseInstanceId',
  ...[1, 2, 3].flatMap((n) => [`Shard${n}DatabaseSecretArn`, `Shard${n}DatabaseInstanceId`]),
  'ShardMapParameterName',
  'CacheReplicationGroupId',
];

const EXPECTED: Record<StageName, Record<StackKind, string[]>> = {
  '1': {
    Network: [],
    Data: [],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'InstanceId', 'DataVolumeId'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '10': {
    Network: [],
    Data: ['DatabaseSecretArn', 'DatabaseInstanceId'],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'InstanceId', 'DataVolumeId'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '100': {
    Network: [],
    Data: ['DatabaseSecretArn', 'DatabaseInstanceId'],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'InstanceId', 'DataVolumeId'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '1k': {
    Network: [],
    Data: ['DatabaseSecretArn', 'DatabaseInstanceId'],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'AutoScalingGroupName', 'TargetGroupArn', 'UploadsBucketName'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '10k': {
    Network: [],
    Data: ['DatabaseSecretArn', 'DatabaseInstanceId'],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'AutoScalingGroupName', 'TargetGroupArn', 'UploadsBucketName'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '100k': {
    Network: [],
    Data: ['DatabaseSecretArn', 'DatabaseInstanceId', 'CacheReplicationGroupId'],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'AutoScalingGroupName', 'TargetGroupArn', 'UploadsBucketName'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '1m': {
    Network: [],
    Data: SHARDED_DATA,
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'AutoScalingGroupName', 'TargetGroupArn', 'UploadsBucketName'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
  '10m': {
    Network: [],
    Data: [...SHARDED_DATA, 'RegionConfigParameterName', 'DatabaseSecretReplicaArn', ...[1, 2, 3].map((n) => `Shard${n}DatabaseSecretReplicaArn`)],
    App: ['AppUrl', 'DistributionId', 'OriginSecretArn', 'OriginSecretReplicaArn', 'AutoScalingGroupName', 'TargetGroupArn', 'UploadsBucketName'],
    Monitoring: ['AlarmTopicArn', 'DashboardName'],
  },
};

describe('stack outputs', () => {
  test.each(ALL_STAGES.map((s) => [s]))('stage %s: cdk deploy prints where the app is, where alarms go, and what the runbooks ask for', (stage) => {
    for (const stack of STACKS) expect([stack, Object.keys(outputs(stage, stack)).sort()]).toEqual([stack, [...EXPECTED[stage][stack]].sort()]);
  });

  test.each(ALL_STAGES.map((s) => [s]))('stage %s: the app URL is https:// and the CloudFront distribution', (stage) => {
    const url = outputs(stage, 'App').AppUrl.Value;
    // 10m needs a domain name (its latency records live under it): the app is there.
    if (stageSpec(stage).regions) return expect(url).toBe(`https://${EXAMPLE_REGION_OPTIONS.domainName}`);
    expect(url).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^SiteDistribution/), 'DomainName'] }]] });
  });

  test.each(ALL_STAGES.map((s) => [s]))('stage %s: every output reads its own stack only (no weak reference) and says what it is', (stage) => {
    for (const stack of STACKS) {
      for (const [name, output] of Object.entries(outputs(stage, stack))) {
        expect([name, [...weakReferences(output.Value)]]).toEqual([name, []]);
        expect(output.Description).toBeTruthy();
      }
    }
  });

  test('README lists every output under its name', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| output | stack | what it is |'));
    const listed = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((n) => n[1]));
    expect(listed.filter((name) => name !== 'output').sort()).toEqual(Object.keys(STACK_OUTPUTS).sort());
  });

  test('runbooks name outputs, not "the physical ID of" a resource', () => {
    const dir = join(ROOT, 'docs', 'runbooks');
    for (const file of readdirSync(dir)) expect([file, readFileSync(join(dir, file), 'utf8').match(/physical ID of/gi) ?? []]).toEqual([file, []]);
  });
});
