import type { CfnTemplate, StackTemplates } from '../../../tools/review/template';

/** Options that each break one rule when changed between two stages. */
export interface FixtureOptions {
  readonly volumeId?: string;
  readonly storageEncrypted?: boolean;
  readonly subnetGroupId?: string;
  readonly subnetGroupName?: string;
  readonly exportVpcId?: boolean;
  readonly importVpcId?: boolean;
  readonly openPorts?: readonly number[];
  readonly volumeDeletionPolicy?: string;
}

/**
 * A two-stack stage in the shape CDK synthesizes: a Network stack exporting
 * its VPC ID, and a Data stack with a database in a subnet group, a volume,
 * and a security group.
 */
export function fixtureStage(options: FixtureOptions = {}): StackTemplates {
  const {
    volumeId = 'DataVolume',
    storageEncrypted = true,
    subnetGroupId = 'DbSubnetGroup',
    subnetGroupName,
    exportVpcId = true,
    importVpcId = true,
    openPorts = [80],
    volumeDeletionPolicy = 'Retain',
  } = options;
  const network: CfnTemplate = {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      SubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
    },
    Outputs: exportVpcId ? { VpcIdOut: { Value: { Ref: 'Vpc' }, Export: { Name: 'app-Network:VpcId' } } } : {},
  };
  const data: CfnTemplate = {
    Resources: {
      [subnetGroupId]: {
        Type: 'AWS::RDS::DBSubnetGroup',
        Properties: { DBSubnetGroupDescription: 'db', SubnetIds: ['subnet-1', 'subnet-2'], ...(subnetGroupName ? { DBSubnetGroupName: subnetGroupName } : {}) },
      },
      Database: {
        Type: 'AWS::RDS::DBInstance',
        DeletionPolicy: 'Snapshot',
        UpdateReplacePolicy: 'Snapshot',
        Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', StorageEncrypted: storageEncrypted, DBSubnetGroupName: { Ref: subnetGroupId } },
      },
      [volumeId]: {
        Type: 'AWS::EC2::Volume',
        DeletionPolicy: volumeDeletionPolicy,
        UpdateReplacePolicy: 'Retain',
        Properties: { AvailabilityZone: 'eu-west-1a', Size: 20, Encrypted: true },
      },
      ApiSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'api',
          VpcId: importVpcId ? { 'Fn::ImportValue': 'app-Network:VpcId' } : 'vpc-123',
          SecurityGroupIngress: openPorts.map((port) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: '0.0.0.0/0' })),
        },
      },
    },
  };
  return { 'app-Network': network, 'app-Data': data };
}
