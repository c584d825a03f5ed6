import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LADDER } from '../../../../stages/ladder';
import type { CacheSpec } from '../../../../stages/stage-spec';
import { stage100k } from '../../../../stages/stage-100k';
import { stage1m } from '../../../../stages/stage-1m';
import { RedisCache } from '../../../../lib/constructs/cache/redis-cache';
import { flaggedApp } from '../edge-test-app';

function synth(spec: CacheSpec) {
  const app = flaggedApp();
  const stack = new Stack(app, 'CacheTest');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const securityGroup = new ec2.SecurityGroup(stack, 'CacheSg', { vpc });
  const cache = new RedisCache(stack, 'Cache', { spec, vpc, securityGroup });
  const role = new iam.Role(stack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  cache.grantReadAuthToken(role);
  return { template: Template.fromStack(stack), cache, stack };
}

describe('RedisCache at stage 100k', () => {
  const { template, cache, stack } = synth(stage100k.cache!);
  const group = () => Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'))[0];

  test('is Redis with cluster mode enabled, shards and replicas from the spec', () => {
    expect(group().Properties).toMatchObject({
      Engine: 'redis',
      EngineVersion: '7.1',
      CacheNodeType: 'cache.r7g.large',
      ClusterMode: 'enabled',
      CacheParameterGroupName: 'default.redis7.cluster.on',
      NumNodeGroups: 2,
      ReplicasPerNodeGroup: 1,
      Port: 6379,
    });
  });

  test('encrypts in transit (required) and at rest, with automatic failover across AZs', () => {
    expect(group().Properties).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
    });
  });

  test('takes its AUTH token from the generated secret by dynamic reference, never in clear', () => {
    const token = JSON.stringify(group().Properties.AuthToken);
    expect(token).toContain('{{resolve:secretsmanager:');
    expect(token).toContain(':SecretString:password::}}');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', PasswordLength: 64, ExcludePunctuation: true }),
    });
  });

  test('lives in the isolated subnets with the given security group', () => {
    const subnetGroup = Object.values(template.findResources('AWS::ElastiCache::SubnetGroup'))[0];
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/DataSubnet1.*DataSubnet2/);
    expect(group().Properties.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^CacheSg/), 'GroupId'] }]);
  });

  test('keeps 7 daily snapshots and takes a final snapshot on delete or replace; secret and subnet group are retained', () => {
    expect(group()).toMatchObject({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot', Properties: expect.objectContaining({ SnapshotRetentionLimit: 7 }) });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::ElastiCache::SubnetGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
  });

  test('replication group, subnet group and secret keep frozen logical IDs', () => {
    const ids = [cache.replicationGroup, cache.subnetGroup, cache.authSecret.node.defaultChild].map((c) => stack.getLogicalId(c as CfnElement));
    expect(ids).toEqual(['CacheReplicationGroupBFE59FF3', 'CacheSubnetGroup355C216D', 'CacheAuthToken04672416']);
  });

  test('exposes the cluster endpoint as a rediss:// URL', () => {
    expect(stack.resolve(cache.redisUrl)).toEqual({ 'Fn::Join': ['', ['rediss://', { 'Fn::GetAtt': [expect.any(String), 'ConfigurationEndPoint.Address'] }, ':6379']] });
  });

  test('lets the API read the AUTH token secret', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] })]) },
    });
  });
});

describe('RedisCache at stage 1m', () => {
  test('only the shard count changes from 100k (online resharding), nothing that forces replacement', () => {
    const at100k = Object.values(synth(stage100k.cache!).template.findResources('AWS::ElastiCache::ReplicationGroup'))[0].Properties;
    const at1m = Object.values(synth(stage1m.cache!).template.findResources('AWS::ElastiCache::ReplicationGroup'))[0].Properties;
    const changed = Object.keys({ ...at100k, ...at1m }).filter((k) => JSON.stringify(at100k[k]) !== JSON.stringify(at1m[k]));
    expect(changed).toEqual(['NumNodeGroups']);
  });
});

describe('cache specs on the ladder', () => {
  test('every stage with a cache keeps the replacement-forcing choices of the first (replicas per shard, engine major)', () => {
    const withCache = LADDER.filter((s) => s.cache);
    expect(withCache.length).toBeGreaterThan(0);
    for (const stage of withCache) {
      expect(stage.cache!.replicasPerShard).toBe(withCache[0].cache!.replicasPerShard);
      expect(stage.cache!.engineVersion.split('.')[0]).toBe(withCache[0].cache!.engineVersion.split('.')[0]);
    }
  });
});

describe('RedisCache spec validation', () => {
  test.each([
    [{ replicasPerShard: 0 }, 'cache.replicasPerShard must be 1-5'],
    [{ shards: 0 }, 'cache.shards must be 1-500'],
    [{ engineVersion: 'latest' }, 'cache.engineVersion must look like'],
    [{ nodeType: 'r7g.large' }, 'cache.nodeType must be an ElastiCache node type'],
  ])('rejects %j', (change, message) => {
    expect(() => synth({ ...stage100k.cache!, ...change })).toThrow(message);
  });
});
