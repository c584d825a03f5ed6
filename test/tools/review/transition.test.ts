import { reviewTransition, type TransitionReview } from '../../../tools/review/transition';
import type { AllowedChange } from '../../../tools/review/allowed-changes';
import type { StackTemplates } from '../../../tools/review/template';
import { fixtureStage } from './fixtures';

const entry = { tcpPorts: [80, 443] };

function review(before: StackTemplates, after: StackTemplates, allowed: readonly AllowedChange[] = []): TransitionReview {
  return reviewTransition({ before, after, entry, allowed });
}

function change(result: TransitionReview, logicalId: string) {
  return result.stacks.flatMap((stack) => stack.changes).find((c) => c.logicalId === logicalId);
}

function rules(result: TransitionReview): string[] {
  return result.problems.map((problem) => `${problem.rule}:${problem.logicalId}`);
}

describe('reviewTransition on small templates', () => {
  test('identical stages have no changes and no problems', () => {
    const result = review(fixtureStage(), fixtureStage());
    expect(result.stacks.flatMap((stack) => stack.changes)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  test('a renamed volume construct destroys the old stateful volume and is refused', () => {
    const result = review(fixtureStage(), fixtureStage({ volumeId: 'RenamedVolume' }));
    expect(change(result, 'DataVolume')).toMatchObject({ impact: 'orphan', stateful: true, atRisk: true });
    expect(change(result, 'RenamedVolume')).toMatchObject({ impact: 'add' });
    expect(rules(result)).toEqual(['stateful-at-risk:DataVolume']);
  });

  test('flipping storage encryption replaces the database and is refused', () => {
    const result = review(fixtureStage({ storageEncrypted: false }), fixtureStage({ storageEncrypted: true }));
    const database = change(result, 'Database');
    expect(database).toMatchObject({ impact: 'replace', stateful: true, atRisk: true });
    expect(database!.why.join(' ')).toMatch(/StorageEncrypted changes, which forces replacement/);
    expect(rules(result)).toContain('stateful-at-risk:Database');
  });

  test('an export dropped while the previous stage imports it is a deadlock', () => {
    const result = review(fixtureStage(), fixtureStage({ exportVpcId: false, importVpcId: false }));
    expect(result.problems).toEqual([expect.objectContaining({ rule: 'export-removed', stack: 'app-Network', logicalId: 'VpcIdOut' })]);
    expect(result.problems[0].message).toMatch(/app-Network:VpcId is removed while app-Data still imports it/);
  });

  test('an export whose resource is replaced while imported is a deadlock too', () => {
    const before = fixtureStage();
    const after = structuredClone(fixtureStage()) as any;
    after['app-Network'].Resources.Vpc.Properties.CidrBlock = '10.1.0.0/16';
    const result = review(before, after);
    expect(rules(result)).toContain('export-changed:VpcIdOut');
  });

  test('a subnet group whose name changes is replaced, and the database under it is reported replaced (cascade)', () => {
    const result = review(fixtureStage({ subnetGroupName: 'db-a' }), fixtureStage({ subnetGroupName: 'db-b' }));
    expect(change(result, 'DbSubnetGroup')).toMatchObject({ impact: 'replace', stateful: false });
    const database = change(result, 'Database');
    expect(database).toMatchObject({ impact: 'replace', atRisk: true, cascadeFrom: ['DbSubnetGroup'] });
    expect(database!.why.join(' ')).toMatch(/refers to DbSubnetGroup \(replaced\) through DBSubnetGroupName/);
    expect(rules(result)).toEqual(['stateful-at-risk:Database']);
  });

  test('a subnet group construct renamed under a database replaces the database', () => {
    const result = review(fixtureStage(), fixtureStage({ subnetGroupId: 'RenamedSubnetGroup' }));
    expect(change(result, 'Database')).toMatchObject({ impact: 'replace', atRisk: true });
    expect(rules(result)).toContain('stateful-at-risk:Database');
  });

  test('the cascade is transitive: VPC replaced → subnet replaced → ...', () => {
    const before = fixtureStage();
    const after = structuredClone(fixtureStage()) as any;
    after['app-Network'].Resources.Vpc.Properties.CidrBlock = '10.9.0.0/16';
    const result = review(before, after);
    expect(change(result, 'Vpc')).toMatchObject({ impact: 'replace' });
    expect(change(result, 'SubnetA')).toMatchObject({ impact: 'replace', cascadeFrom: ['Vpc'] });
  });

  test('a destructive change listed with its runbook is allowed and names the runbook', () => {
    const allowed: AllowedChange[] = [
      { stack: 'Data', logicalId: 'DataVolume', step: ['100', '1k'], impacts: ['orphan'], runbook: '100-to-1k', why: 'The photos are copied to S3 first.' },
    ];
    const result = review(fixtureStage(), fixtureStage({ volumeId: 'RenamedVolume' }), allowed);
    expect(change(result, 'DataVolume')).toMatchObject({ atRisk: true, runbook: '100-to-1k' });
    expect(result.problems).toEqual([]);
  });

  test('an allowance for another impact does not cover the change', () => {
    const allowed: AllowedChange[] = [
      { stack: 'Data', logicalId: 'Database', step: ['1', '10'], impacts: ['orphan'], runbook: '1-to-10', why: 'Only orphaning is covered.' },
    ];
    const result = review(fixtureStage({ storageEncrypted: false }), fixtureStage(), allowed);
    expect(rules(result)).toContain('stateful-at-risk:Database');
  });

  test('a stateful resource without Retain/Snapshot policies is refused', () => {
    const result = review(fixtureStage(), fixtureStage({ volumeDeletionPolicy: 'Delete' }));
    expect(result.problems).toEqual([expect.objectContaining({ rule: 'retention-policy', logicalId: 'DataVolume' })]);
  });

  test('a new port open to the world beyond the public entry is refused; the entry port is not', () => {
    const result = review(fixtureStage({ openPorts: [80] }), fixtureStage({ openPorts: [80, 443, 22] }));
    expect(result.problems).toEqual([expect.objectContaining({ rule: 'world-open-port', logicalId: 'ApiSecurityGroup' })]);
    expect(result.problems[0].message).toMatch(/opens tcp 22 open to 0\.0\.0\.0\/0/);
  });

  test('a weak reference (Fn::GetStackOutput) to a replaced resource is a warning, not a deadlock', () => {
    const weak = (cidr: string) => {
      const stage = structuredClone(fixtureStage({ exportVpcId: false, importVpcId: false })) as any;
      stage['app-Network'].Resources.Vpc.Properties.CidrBlock = cidr;
      stage['app-Network'].Outputs = { PublishVpcId: { Value: { Ref: 'Vpc' } } };
      stage['app-Data'].Resources.ApiSecurityGroup.Properties.VpcId = { 'Fn::GetStackOutput': { StackName: 'app-Network', OutputName: 'PublishVpcId' } };
      return stage;
    };
    const result = review(weak('10.0.0.0/16'), weak('10.5.0.0/16'));
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ rule: 'stale-reference', stack: 'app-Network', logicalId: 'PublishVpcId' })]);
    expect(review(weak('10.0.0.0/16'), weak('10.0.0.0/16')).warnings).toEqual([]);
  });

  describe('RDS StorageType, which the resource spec marks "may replace"', () => {
    const withStorage = (storageType: string, extra: Record<string, unknown> = {}) => {
      const stage = structuredClone(fixtureStage()) as any;
      Object.assign(stage['app-Data'].Resources.Database.Properties, { StorageType: storageType, ...extra });
      return stage as StackTemplates;
    };

    test('gp2 → gp3 updates the database in place (the RDS handler modifies storage on a running instance) and is safe', () => {
      const result = review(withStorage('gp2'), withStorage('gp3'));
      const database = change(result, 'Database')!;
      expect(database).toMatchObject({ impact: 'update', stateful: true, atRisk: false });
      expect(database.why.join(' ')).toMatch(/StorageType changes gp2 → gp3: .*in place/);
      expect(result.problems).toEqual([]);
    });

    test('a change to or from magnetic storage, or beside another "may replace" property, still may replace and is refused', () => {
      expect(change(review(withStorage('standard'), withStorage('gp3')), 'Database')).toMatchObject({ impact: 'may-replace', atRisk: true });
      const both = review(withStorage('gp2', { MultiAZ: false }), withStorage('gp3', { MultiAZ: true }));
      expect(change(both, 'Database')).toMatchObject({ impact: 'may-replace', atRisk: true });
      expect(rules(both)).toContain('stateful-at-risk:Database');
    });
  });

  test('a group that gains CDK\'s match-nothing egress rule is an in-place update read as losing EC2\'s default allow-all egress', () => {
    const withEgress = (egress?: unknown[]) => {
      const stage = structuredClone(fixtureStage()) as any;
      const group = stage['app-Data'].Resources.ApiSecurityGroup.Properties;
      if (egress) group.SecurityGroupEgress = egress;
      else delete group.SecurityGroupEgress;
      return stage as StackTemplates;
    };
    const matchNothing = { CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 };
    const result = review(withEgress(), withEgress([matchNothing]));
    const group = change(result, 'ApiSecurityGroup')!;
    expect(group).toMatchObject({ impact: 'update' });
    expect(group.why.join(' ')).toMatch(/from none of its own \(EC2's default allow-all\) to CDK's match-nothing rule/);
    expect(result.problems).toEqual([]);
    // Any other inline egress is just a change.
    expect(change(review(withEgress(), withEgress([{ CidrIp: '10.0.0.0/8', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }])), 'ApiSecurityGroup')!.why).toEqual(['SecurityGroupEgress changes']);
  });

  test('a stack that is not deployed yet is all additions', () => {
    const after = fixtureStage();
    const result = review({ 'app-Network': after['app-Network'] }, after);
    const data = result.stacks.find((stack) => stack.stack === 'app-Data')!;
    expect(data.changes.every((c) => c.impact === 'add')).toBe(true);
    expect(result.problems).toEqual([]);
  });
});
