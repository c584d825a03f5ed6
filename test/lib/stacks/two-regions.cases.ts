/**
 * Stage 10m: the second region's stacks and what the home stacks add for it,
 * read from the synthesized templates (the offline example regions
 * us-east-1,eu-west-1 and domain app.example.com, lib/app-options.ts).
 */
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { synthStage } from '../../../lib/synth';
import { parseRegionConfig } from '../../../contracts/region-config';
import { HOME_VPC_CIDR, stageSpec } from '../../../stages/ladder';
import { apiEnvFile, envFileText, flatten, templateJson, withoutFingerprints } from './stage-templates';

const [HOME, SECOND] = EXAMPLE_REGION_OPTIONS.regions.split(',');
const DOMAIN = EXAMPLE_REGION_OPTIONS.domainName;
const spec = stageSpec('10m');
const regional = (kind: 'Network' | 'Data' | 'App' | 'Monitoring') => synthStage('10m')[`graminsta-${SECOND}-${kind}`];
const resources = (template: Record<string, any>, type: string) =>
  Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const stackOutput = (value: any) => value?.['Fn::GetStackOutput'];

describe('stage 10m: the second region', () => {
  test('its stacks are named with the region, never the stage, and one snapshot each pins them', () => {
    for (const kind of ['Network', 'Data', 'App', 'Monitoring'] as const) {
      expect(`graminsta-${SECOND}-${kind}`).not.toMatch(/10m/);
      expect(withoutFingerprints(regional(kind))).toMatchSnapshot(`second region ${kind}`);
    }
  });

  test('every shard primary has one cross-region read replica: the primary ARN from the home Data stack, its region, a key of this region, retained', () => {
    const replicas = resources(regional('Data'), 'AWS::RDS::DBInstance');
    const primaries = resources(templateJson('10m', 'Data'), 'AWS::RDS::DBInstance').filter(([, r]) => !r.Properties.SourceDBInstanceIdentifier);
    expect(primaries).toHaveLength(spec.database.kind === 'rds' ? spec.database.primaries : 0);
    expect(replicas).toHaveLength(primaries.length);
    const keys = resources(regional('Data'), 'AWS::KMS::Key').map(([id]) => id);
    for (const [, replica] of replicas) {
      // arn:<partition>:rds:<home region>:<account>:db:<the primary's identifier, read from the home Data stack>
      const [, parts] = replica.Properties.SourceDBInstanceIdentifier['Fn::Join'];
      expect(parts.slice(0, 5)).toEqual(['arn:', { Ref: 'AWS::Partition' }, `:rds:${HOME}:`, { Ref: 'AWS::AccountId' }, ':db:']);
      expect(stackOutput(parts[parts.length - 1])).toMatchObject({ StackName: 'graminsta-Data', Region: HOME });
      expect(replica.Properties.SourceRegion).toBe(HOME);
      expect(keys).toContain(replica.Properties.KmsKeyId['Fn::GetAtt'][0]);
      expect(replica.Properties.DBInstanceClass).toBe(spec.regions!.second.replicaInstanceClass);
      expect({ deletion: replica.DeletionPolicy, replace: replica.UpdateReplacePolicy, protection: replica.Properties.DeletionProtection }).toEqual({ deletion: 'Retain', replace: 'Retain', protection: true });
    }
    // Each replica reads a different primary.
    expect(new Set(replicas.map(([, r]) => JSON.stringify(r.Properties.SourceDBInstanceIdentifier))).size).toBe(replicas.length);
  });

  test('its VPC does not overlap the home VPC, is peered with it, and both sides route to the other through the peering', () => {
    const [[, vpc]] = resources(regional('Network'), 'AWS::EC2::VPC');
    expect(vpc.Properties.CidrBlock).toBe(spec.regions!.second.vpcCidr);
    expect(vpc.Properties.CidrBlock.split('.').slice(0, 2)).not.toEqual(HOME_VPC_CIDR.split('.').slice(0, 2));
    const [[peeringId, peering]] = resources(regional('Network'), 'AWS::EC2::VPCPeeringConnection');
    expect(peering.Properties.PeerRegion).toBe(HOME);
    expect(stackOutput(peering.Properties.PeerVpcId)).toMatchObject({ StackName: 'graminsta-Network', Region: HOME });
    const secondRoutes = resources(regional('Network'), 'AWS::EC2::Route').filter(([, r]) => r.Properties.VpcPeeringConnectionId);
    expect(secondRoutes.length).toBeGreaterThanOrEqual(4);
    for (const [, route] of secondRoutes) expect(route.Properties).toMatchObject({ DestinationCidrBlock: HOME_VPC_CIDR, VpcPeeringConnectionId: { Ref: peeringId } });
    const homeRoutes = resources(templateJson('10m', 'App'), 'AWS::EC2::Route');
    expect(homeRoutes.length).toBeGreaterThanOrEqual(4);
    for (const [, route] of homeRoutes) {
      expect(route.Properties.DestinationCidrBlock).toBe(spec.regions!.second.vpcCidr);
      expect(stackOutput(route.Properties.VpcPeeringConnectionId)).toMatchObject({ StackName: `graminsta-${SECOND}-Network`, Region: SECOND });
    }
  });

  test('the load balancer of each region admits the other VPC (forwarded writes over the peering)', () => {
    const ingress = (template: Record<string, any>) =>
      resources(template, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => (g.Properties.SecurityGroupIngress ?? []).map((r: any) => r.CidrIp));
    expect(ingress(templateJson('10m', 'Network'))).toContain(spec.regions!.second.vpcCidr);
    expect(ingress(regional('Network'))).toContain(HOME_VPC_CIDR);
  });

  test('both regions hold the region configuration, epoch 0, home first, each region named with its internal load balancer', () => {
    const values = [templateJson('10m', 'Data'), regional('Data')].map((template) => {
      const parameter = resources(template, 'AWS::SSM::Parameter').find(([id]) => id.startsWith('RegionConfig'));
      return parseRegionConfig(parameter![1].Properties.Value);
    });
    expect(values[0]).toEqual(values[1]);
    expect(values[0]).toEqual({
      home: HOME,
      epoch: 0,
      regions: [
        { name: HOME, apiUrl: `http://${HOME}.regions.${DOMAIN}` },
        { name: SECOND, apiUrl: `http://${SECOND}.regions.${DOMAIN}` },
      ],
    });
    expect(apiEnvFile('10m').REGION_CONFIG_PARAMETER).toBe('<token>');
  });

  test("the second region's API reads its own region configuration, its local replicas through its shard map, its own Redis and queue, sessions made at home", () => {
    const env = Object.fromEntries(
      envFileText(regional('App').Resources)
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({ SESSIONS_DATABASE_FALLBACK: 'true', REGION_CONFIG_PARAMETER: '<token>', SHARD_MAP_PARAMETER: '<token>', AWS_REGION: '<token>', MEDIA_BASE_URL: `https://${DOMAIN}/` });
    const map = resources(regional('Data'), 'AWS::SSM::Parameter').find(([id]) => id.startsWith('ShardMap'))![1];
    const text = JSON.stringify(map.Properties.Value);
    const replicaIds = resources(regional('Data'), 'AWS::RDS::DBInstance').map(([id]) => id);
    for (const id of replicaIds) expect(text).toContain(`"${id}","Endpoint.Address"`);
  });

  test('uploads replicate to the second region with a role that may only read source versions and replicate into the replica', () => {
    const [[, bucket]] = resources(templateJson('10m', 'App'), 'AWS::S3::Bucket').filter(([, b]) => b.Properties.ReplicationConfiguration);
    const rule = bucket.Properties.ReplicationConfiguration.Rules[0];
    expect(stackOutput(rule.Destination.Bucket)).toMatchObject({ StackName: `graminsta-${SECOND}-Data`, Region: SECOND });
    expect(rule.DeleteMarkerReplication).toEqual({ Status: 'Enabled' });
    const role = bucket.Properties.ReplicationConfiguration.Role['Fn::GetAtt'][0];
    const policy = resources(templateJson('10m', 'App'), 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === role))![1];
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Action).flat().sort()).toEqual(
      ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging', 's3:GetReplicationConfiguration', 's3:ListBucket', 's3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'].sort(),
    );
    const [[, replica]] = resources(regional('Data'), 'AWS::S3::Bucket').filter(([id]) => id.startsWith('UploadsReplica') && !id.includes('AccessLogs'));
    expect(replica.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(replica.DeletionPolicy).toBe('Retain');
  });

  test('each region has a latency record for the API origin, guarded by a Route 53 health check on its fleet', () => {
    for (const [template, region] of [[templateJson('10m', 'App'), HOME], [regional('App'), SECOND]] as const) {
      const records = resources(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Name === `api-origin.${DOMAIN}.`);
      expect(records).toHaveLength(1);
      const record = records[0][1].Properties;
      expect({ region: record.Region, set: record.SetIdentifier, zone: record.HostedZoneId }).toEqual({ region, set: region, zone: EXAMPLE_REGION_OPTIONS.hostedZoneId });
      const [[checkId, check]] = resources(template, 'AWS::Route53::HealthCheck');
      expect(record.HealthCheckId).toEqual({ 'Fn::GetAtt': [checkId, 'HealthCheckId'] });
      expect(check.Properties.HealthCheckConfig).toMatchObject({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: region } });
      // Made only after the fleet signalled healthy.
      const [[groupId]] = resources(template, 'AWS::AutoScaling::AutoScalingGroup');
      expect(records[0][1].DependsOn).toContain(groupId);
      const regionalName = resources(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Name === `${region}.regions.${DOMAIN}.`);
      expect(regionalName).toHaveLength(1);
    }
  });

  test('CloudFront keeps one distribution, its API origin the latency name over HTTPS, /media/* an origin group over both buckets', () => {
    const [[, distribution]] = resources(templateJson('10m', 'App'), 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    const api = config.Origins.find((o: any) => o.DomainName === `api-origin.${DOMAIN}`);
    expect(api.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
    const media = config.CacheBehaviors.find((b: any) => b.PathPattern === '/media/*');
    const group = config.OriginGroups.Items.find((g: any) => g.Id === media.TargetOriginId);
    expect(group.Members.Items).toHaveLength(2);
    expect(group.FailoverCriteria.StatusCodes.Items.sort()).toEqual([500, 502, 503, 504]);
    expect(media.AllowedMethods ?? ['GET', 'HEAD']).toEqual(['GET', 'HEAD']);
    expect(resources(templateJson('10m', 'App'), 'AWS::CloudFront::VpcOrigin')).toHaveLength(0);
    expect(flatten(api.DomainName)).toBe(`api-origin.${DOMAIN}`);
  });
});
