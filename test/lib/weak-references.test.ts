import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { buildStageApp } from '../../lib/build-app';
import type { DataStack } from '../../lib/stacks/data-stack';
import type { NetworkStack } from '../../lib/stacks/network-stack';
import { synthStage } from '../../lib/synth';
import { REFERENCES_METADATA, type Template, weakReferences, withReferenceFingerprints } from '../../lib/weak-references';
import { diffStack } from '../../tools/review/stack-diff';
import { referencedIds } from '../../tools/review/references';

/** A producer with a security group and a database with a replica, and a consumer reading all three. */
function stacks(change: { groupDescription?: string; replicaPort?: string; primaryPort?: string; groupIngress?: unknown[] } = {}): Record<string, Template> {
  const output = (stack: string, name: string) => ({ 'Fn::GetStackOutput': { StackName: stack, OutputName: name, Region: { Ref: 'AWS::Region' } } });
  const producer = {
    Resources: {
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: change.groupDescription ?? 'api', VpcId: 'vpc-1', SecurityGroupIngress: change.groupIngress ?? [] } },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', Port: change.primaryPort ?? '5432' } },
      Replica: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: { Ref: 'Db' }, DBInstanceClass: 'db.t4g.micro', Port: change.replicaPort ?? '5432' } },
    },
    Outputs: {
      GroupId: { Value: { 'Fn::GetAtt': ['Group', 'GroupId'] } },
      ReplicaHost: { Value: { 'Fn::GetAtt': ['Replica', 'Endpoint.Address'] } },
    },
  };
  const consumer = {
    Resources: {
      Template: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { SecurityGroupIds: [output('p', 'GroupId')] } } },
      Env: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::Join': ['', ['HOST=', output('p', 'ReplicaHost')]] } } },
      Host: { Type: 'AWS::EC2::Instance', Metadata: { 'AWS::CloudFormation::Init': { config: { files: { '/env': { content: { 'Fn::GetAtt': ['Env', 'Value'] } } } } } }, Properties: {} },
      Alone: { Type: 'AWS::SNS::Topic', Properties: {} },
    },
  };
  const templates: Record<string, Template> = { p: producer, c: consumer };
  return { p: producer, c: withReferenceFingerprints(structuredClone(consumer), (name) => templates[name]) };
}

const readsOf = (t: Record<string, Template>, id: string) => t.c.Resources![id].Metadata?.[REFERENCES_METADATA] as Record<string, string> | undefined;

describe('fingerprints of what weak references read (lib/weak-references.ts)', () => {
  test('every resource reading another stack carries one fingerprint per output it reads; one reading nothing carries none', () => {
    const t = stacks();
    expect(Object.keys(readsOf(t, 'Template')!)).toEqual(['p/GroupId']);
    expect(Object.keys(readsOf(t, 'Env')!)).toEqual(['p/ReplicaHost']);
    expect(readsOf(t, 'Alone')).toBeUndefined();
  });

  test('a resource reading another stack through a same-stack resource its metadata names carries that fingerprint too', () => {
    expect(readsOf(stacks(), 'Host')).toEqual(readsOf(stacks(), 'Env'));
  });

  test('replacing the producer resource changes the fingerprint; updating it in place does not', () => {
    expect(readsOf(stacks({ groupDescription: 'api v2' }), 'Template')).not.toEqual(readsOf(stacks(), 'Template'));
    expect(readsOf(stacks({ groupIngress: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '10.0.0.0/16' }] }), 'Template')).toEqual(readsOf(stacks(), 'Template'));
  });

  test('a replacement that cascades (the primary under a replica) changes the fingerprint of what reads the replica', () => {
    expect(readsOf(stacks({ primaryPort: '5433' }), 'Env')).not.toEqual(readsOf(stacks(), 'Env'));
    expect(readsOf(stacks({ primaryPort: '5433' }), 'Template')).toEqual(readsOf(stacks(), 'Template'));
  });
});

/** Stage 1m synthesized with a security group and a read replica replaced in the producers (both force replacement). */
function synthesizeWithReplacements(): Record<string, any> {
  const outdir = mkdtempSync(join(tmpdir(), 'graminsta-weak-'));
  try {
    const { app, stacks } = buildStageApp({ stage: '1m', outdir });
    const [network, data] = stacks as [NetworkStack, DataStack];
    (network.securityGroups.api.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('GroupDescription', 'Graminsta API instances (rebuilt)');
    (data.databases[0].replicas[0].node.defaultChild as rds.CfnDBInstance).addPropertyOverride('DBInstanceIdentifier', 'graminsta-replica-rebuilt');
    const assembly = app.synth();
    return Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('stage 1m: a producer replaces resources other stacks read', () => {
  let before: Record<string, any>;
  let after: Record<string, any>;
  beforeAll(() => {
    before = synthStage('1m');
    after = synthesizeWithReplacements();
  }, 180_000);

  /** Producer resources the change replaces, as `npm run review` sees them (replacement cascades included). */
  const replaced = () =>
    Object.keys(before).flatMap((stack) =>
      diffStack(stack, before[stack], after[stack])
        .changes.filter((c) => c.impact === 'replace' || c.impact === 'may-replace')
        .map((c) => `${stack}/${c.logicalId}`),
    );

  /** Every consumer resource (`stack/id`) that reads, directly or through its metadata, an output naming a replaced resource. */
  const readers = (gone: readonly string[]) => {
    const found: string[] = [];
    for (const [stack, template] of Object.entries(before)) {
      for (const [id, resource] of Object.entries(template.Resources as Record<string, any>)) {
        const viaMetadata = [...referencedIds(resource.Metadata)].filter((other) => other in template.Resources).map((other) => template.Resources[other]);
        const reads = weakReferences([resource.Properties, resource.Metadata, ...viaMetadata.map((r) => r.Properties)]);
        const readsGone = [...reads].some((reference) => {
          const [producer, output] = reference.split('/');
          return [...referencedIds(before[producer].Outputs[output].Value)].some((target) => gone.includes(`${producer}/${target}`));
        });
        if (readsGone) found.push(`${stack}/${id}`);
      }
    }
    return found;
  };

  test('the security group and the replica are replaced', () => {
    const gone = replaced();
    expect(gone).toEqual(expect.arrayContaining([expect.stringMatching(/^graminsta-Network\/SecurityGroupsApi/), expect.stringMatching(/^graminsta-Data\/DatabaseReplica1/)]));
  });

  test('every resource of another stack that reads them changes its template, so cdk deploy updates it and CloudFormation resolves the new value', () => {
    const consumers = readers(replaced());
    const strip = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
    // The fleet's launch template (the group), the env parameter and the group that reads it, the replica's alarms.
    expect(consumers.map(strip)).toEqual(
      expect.arrayContaining([
        'graminsta-App/ApiFleetGroupLaunchTemplate',
        'graminsta-App/ApiFleetEnvironment',
        'graminsta-App/ApiFleetGroupASG',
        'graminsta-Monitoring/AlarmsDatabaseDatabaseReplica1Lag',
      ]),
    );
    const unchanged = consumers.filter((key) => {
      const [stack, id] = key.split('/');
      return JSON.stringify(before[stack].Resources[id]) === JSON.stringify(after[stack].Resources[id]);
    });
    expect(unchanged).toEqual([]);
  });

  test('the fleet rolls: its launch template user data changes, so every instance rewrites its env file with the new replica host', () => {
    const userData = (t: Record<string, any>) =>
      JSON.stringify(Object.values(t['graminsta-App'].Resources as Record<string, any>).find((r) => r.Type === 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData.UserData);
    expect(userData(after)).not.toEqual(userData(before));
  });

  test('what reads only resources that stay is left alone (the primary database alarms)', () => {
    const alarm = (t: Record<string, any>) => Object.entries(t['graminsta-Monitoring'].Resources as Record<string, any>).find(([id]) => id.startsWith('AlarmsDatabaseDatabaseCpu'))![1];
    expect(alarm(after)).toEqual(alarm(before));
  });
});
