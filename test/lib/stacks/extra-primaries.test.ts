/**
 * Adding a primary at 1m (`-c extraPrimaries=1`, docs/runbooks/add-a-primary.md):
 * the new primary joins the shard map empty, every existing resource keeps its
 * logical ID, the map change rolls the fleet, and the stage stays cdk-nag clean.
 */
import { validateOptions } from '../../../lib/app-options';
import { buildStageApp } from '../../../lib/build-app';
import { synthStage } from '../../../lib/synth';
import { checkNag } from '../../../tools/compliance/nag-check';
import { envFileText, flatten } from './stage-templates';

const base = () => synthStage('1m');
const plusOne = () => synthStage('1m', { extraPrimaries: 1 });

const resources = (templates: Record<string, any>, stack: string) => templates[`graminsta-${stack}`].Resources as Record<string, any>;
const ofType = (templates: Record<string, any>, stack: string, type: string) =>
  Object.entries(resources(templates, stack)).filter(([, r]) => r.Type === type);
const shardMap = (templates: Record<string, any>) => JSON.parse(flatten(ofType(templates, 'Data', 'AWS::SSM::Parameter')[0][1].Properties.Value).replace(/<token>/g, 'x'));
const envFile = (templates: Record<string, any>) => envFileText(resources(templates, 'App'));
const launchTemplateUserData = (templates: Record<string, any>) => JSON.stringify(ofType(templates, 'App', 'AWS::EC2::LaunchTemplate')[0][1].Properties.LaunchTemplateData.UserData);

describe('extraPrimaries', () => {
  test.each([
    [{ stage: '100k', extraPrimaries: 1 }, /^extraPrimaries needs a sharded stage \(1m\); stage 100k has one database$/],
    [{ stage: '1m', extraPrimaries: 'two' }, /^invalid extraPrimaries "two": expected a whole number from 0 to 4 \(at most 8 primaries in all\)$/],
    [{ stage: '1m', extraPrimaries: -1 }, /^invalid extraPrimaries "-1"/],
    [{ stage: '1m', extraPrimaries: 5 }, /^invalid extraPrimaries "5"/],
    [{ stage: '1m', extraPrimaries: '1.5' }, /^invalid extraPrimaries "1.5"/],
  ])('rejects %p with a one-line error', (options, message) => {
    expect(() => validateOptions(options)).toThrow(message);
  });

  test('0 or unset changes nothing; "2" (as -c passes it) adds two primaries', () => {
    expect(validateOptions({ stage: '1m', extraPrimaries: '0' }).spec).toBe(validateOptions({ stage: '1m' }).spec);
    const spec = validateOptions({ stage: '1m', extraPrimaries: '2' }).spec;
    expect(spec.database.kind === 'rds' && spec.database.primaries).toBe(6);
  });

  test('a fifth primary (with its replicas) is added beside the others, which keep their logical IDs', () => {
    const before = Object.keys(resources(base(), 'Data'));
    const after = Object.keys(resources(plusOne(), 'Data'));
    expect(before.filter((id) => !after.includes(id))).toEqual([]);
    const added = ofType(plusOne(), 'Data', 'AWS::RDS::DBInstance').filter(([id]) => !before.includes(id));
    expect(added.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['Shard4Database', 'Shard4DatabaseReplica1', 'Shard4DatabaseReplica2']);
  });

  test('elsewhere only the map, the Data stack\'s policy in Monitoring (it protects the new primary too), the fleet (env parameter, role policy, launch template, group), the dashboard and the when-to-climb alarm (it watches every primary) change; the network not at all', () => {
    const changed = (stack: string) =>
      Object.entries(resources(base(), stack))
        .filter(([id, r]) => JSON.stringify(r) !== JSON.stringify(resources(plusOne(), stack)[id]))
        .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(changed('Network')).toEqual([]);
    expect(changed('Data')).toEqual(['ShardMap']);
    expect(changed('App').sort()).toEqual(['ApiFleetEnvironment', 'ApiFleetGroupASG', 'ApiFleetGroupLaunchTemplate', 'ApiFleetRoleDefaultPolicy']);
    expect(changed('Monitoring').sort()).toEqual(['AlarmsClimbWhenToClimb', 'AlarmsDashboard', 'DataStackPolicy']);
  });

  test('the added primary\'s replicas have gp3 storage and autoscale to the same ceiling as it', () => {
    const added = ofType(plusOne(), 'Data', 'AWS::RDS::DBInstance').filter(([id]) => id.startsWith('Shard4Database'));
    const storage = ([, r]: [string, any]) => [r.Properties.StorageType, r.Properties.MaxAllocatedStorage];
    const [primary, ...replicas] = added;
    expect(replicas).toHaveLength(2);
    expect(storage(primary)).toEqual(['gp3', expect.any(Number)]);
    for (const replica of replicas) expect(storage(replica)).toEqual(storage(primary));
  });

  test('the map lists it as primary-4 owning nothing; the others keep their names and base ranges', () => {
    const map = shardMap(plusOne());
    expect(map.primaries.map((p: any) => [p.name, p.shards])).toEqual([
      ['primary-0', [[0, 4095]]],
      ['primary-1', []],
      ['primary-2', []],
      ['primary-3', []],
      ['primary-4', []],
    ]);
  });

  test('the map change rolls the fleet: SHARD_MAP_VERSION and the launch template user data (cfn-init fingerprint) change', () => {
    const version = (t: Record<string, any>) => /^SHARD_MAP_VERSION=(\w+)$/m.exec(envFile(t))![1];
    expect(version(plusOne())).not.toBe(version(base()));
    expect(launchTemplateUserData(plusOne())).not.toBe(launchTemplateUserData(base()));
    // The group's rolling update policy is what turns a new launch template into a one-at-a-time replacement.
    const [, group] = ofType(plusOne(), 'App', 'AWS::AutoScaling::AutoScalingGroup')[0];
    expect(group.UpdatePolicy.AutoScalingRollingUpdate).toMatchObject({ MaxBatchSize: 1, WaitOnResourceSignals: true });
  });

  test('the fleet may read the new primary\'s secret, and the new primary is monitored', () => {
    const policies = JSON.stringify(ofType(plusOne(), 'App', 'AWS::IAM::Policy'));
    expect(policies).toMatch(/Shard4DatabaseSecret/);
    expect(ofType(plusOne(), 'Monitoring', 'AWS::CloudWatch::Alarm').some(([id]) => id.startsWith('AlarmsShard4Database'))).toBe(true);
  });

  test('stays cdk-nag clean: the new primary gets the same acknowledgements as the other shard primaries, each one used', () => {
    const previous = process.env.GRAMINSTA_NAG;
    process.env.GRAMINSTA_NAG = '0';
    try {
      const built = buildStageApp({ stage: '1m', extraPrimaries: 1 });
      built.app.synth();
      const nag = checkNag(built.app, built.spec);
      expect(nag).toEqual({ unacknowledged: [], unused: [], missing: [] });
    } finally {
      if (previous === undefined) delete process.env.GRAMINSTA_NAG;
      else process.env.GRAMINSTA_NAG = previous;
    }
  }, 300_000);
});
