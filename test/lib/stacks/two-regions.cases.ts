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
/** A template string with each reference written out: `<Stack/Output@Region>`, `<Id.Attribute>`, `<Ref Id>`. */
const rendered = (value: any): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value?.['Fn::Join'])) return (value['Fn::Join'][1] as any[]).map(rendered).join(value['Fn::Join'][0]);
  const output = stackOutput(value);
  if (output) return `<${output.StackName}/${output.OutputName}@${output.Region}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value?.Ref) return `<Ref ${value.Ref}>`;
  return `<${JSON.stringify(value)}>`;
};
const shardPrefix = (i: number) => (i === 0 ? '' : `Shard${i}`);

const replicaPrefixes = () => Array.from({ length: spec.database.kind === 'rds' ? spec.database.primaries : 0 }, (_, i) => shardPrefix(i));

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

  test("each region's database group admits the other VPC on PostgreSQL's port (npm run failover's lag check and fence over the peering), only at 10m", () => {
    const postgresFrom = (template: Record<string, any>) =>
      resources(template, 'AWS::EC2::SecurityGroup')
        .filter(([, g]) => g.Properties.GroupDescription === 'Graminsta PostgreSQL')
        .flatMap(([, g]) => (g.Properties.SecurityGroupIngress ?? []).filter((r: any) => r.FromPort === 5432).map((r: any) => r.CidrIp));
    expect(postgresFrom(templateJson('10m', 'Network'))).toEqual([spec.regions!.second.vpcCidr]);
    expect(postgresFrom(regional('Network'))).toEqual([HOME_VPC_CIDR]);
    expect(postgresFrom(templateJson('1m', 'Network'))).toEqual([]);
  });

  test("home's load balancer alarms watch the public origin, where users' requests arrive at 10m (the internal one carries only forwarded writes)", () => {
    const dimensions = resources(templateJson('10m', 'Monitoring'), 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.Namespace === 'AWS/ApplicationELB')
      .flatMap(([, a]) => a.Properties.Dimensions as any[]);
    expect(dimensions.length).toBeGreaterThan(0);
    for (const dimension of dimensions) expect(stackOutput(dimension.Value)?.OutputName).toMatch(/^PublishOutputFnGetAttPublicOrigin/);
  });

  test('the region configuration has one name in both regions (npm run failover writes each copy under the name REGION_CONFIG_PARAMETER gives it)', () => {
    const names = [templateJson('10m', 'Data'), regional('Data')].map((template) => resources(template, 'AWS::SSM::Parameter').find(([id]) => id.startsWith('RegionConfig'))![1].Properties.Name);
    expect(names).toEqual(['/graminsta/region-config', '/graminsta/region-config']);
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

  test("its shard map names this region's own servers as the primaries: each local replica as host, on the credentials' replica in this region, no further replicas", () => {
    const map = resources(regional('Data'), 'AWS::SSM::Parameter').find(([id]) => id.startsWith('ShardMap'))![1];
    const parsed = JSON.parse(rendered(map.Properties.Value));
    const replicaIds = resources(regional('Data'), 'AWS::RDS::DBInstance').map(([id]) => id);
    expect(parsed.primaries).toHaveLength(replicaIds.length);
    parsed.primaries.forEach((primary: any, i: number) => {
      // The replica of primary i (its construct ID names the home primary: Database, Shard<i>Database).
      expect(primary.host).toMatch(new RegExp(`^<${shardPrefix(i)}Database[0-9A-F]{8}\\.Endpoint\\.Address>:<${shardPrefix(i)}Database[0-9A-F]{8}\\.Endpoint\\.Port>$`));
      expect(primary.secretArn).toBe(`<graminsta-Data/${shardPrefix(i)}DatabaseSecretReplicaArn@${HOME}>`);
      expect(primary.replicaHosts).toEqual([]);
    });
  });

  test('every home credentials secret and the origin secret have a Secrets Manager replica in the second region, whose ARN their stack publishes', () => {
    for (const kind of ['Data', 'App'] as const) {
      const template = templateJson('10m', kind);
      const secrets = resources(template, 'AWS::SecretsManager::Secret').filter(([id]) => !id.startsWith('CacheAuthToken'));
      expect(secrets.length).toBe(kind === 'Data' ? (spec.database.kind === 'rds' ? spec.database.primaries : 0) : 1);
      for (const [id, secret] of secrets) {
        expect({ id, replicas: secret.Properties.ReplicaRegions }).toEqual({ id, replicas: [{ Region: SECOND }] });
        // Its replica's ARN: the same name and suffix (the sixth field of its own ARN), the second region.
        const outputs = Object.values(template.Outputs as Record<string, any>).filter((o) => JSON.stringify(o.Value).includes(`{"Ref":"${id}"}`) && JSON.stringify(o.Value).includes(SECOND));
        expect(outputs.map((o) => rendered(o.Value))).toEqual([`arn:<Ref AWS::Partition>:secretsmanager:${SECOND}:<Ref AWS::AccountId>:secret:<${JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: id }] }] })}>`]);
      }
    }
    // The cache's AUTH token stays in its region: each region has its own Redis.
    for (const [, token] of resources(templateJson('10m', 'Data'), 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('CacheAuthToken'))) expect(token.Properties.ReplicaRegions).toBeUndefined();
  });

  test("the second region's fleet may read the secrets' replicas in its region and no secret of the home region", () => {
    const statements = resources(regional('App'), 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const read = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')).flatMap((s) => [s.Resource].flat());
    expect(read.map(rendered).sort()).toEqual(
      [
        `<graminsta-App/OriginSecretReplicaArn@${HOME}>`,
        ...replicaPrefixes().map((prefix) => `<graminsta-Data/${prefix}DatabaseSecretReplicaArn@${HOME}>`),
        expect.stringMatching(new RegExp(`^<graminsta-${SECOND}-Data/PublishOutputRefCacheAuthToken.*@${SECOND}>$`)),
      ].sort(),
    );
    const env = Object.fromEntries(envFileText(regional('App').Resources).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.DATABASE_REPLICA_HOSTS).toBeUndefined();
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

  test("the second region's API writes photos to its own bucket (it writes only while home), never to the home bucket", () => {
    const statements = resources(regional('App'), 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('ApiFleet'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject')).flatMap((s) => [s.Resource].flat().map(rendered));
    expect(writes).toEqual([`<graminsta-${SECOND}-Data/PublishOutputFnGetAttUploadsReplicaC284C7D6Arn9EF0A9F2@${SECOND}>/media/*`]);
    expect(JSON.stringify(statements)).not.toContain('MediaBucket');
    const [[, parameter]] = resources(regional('App'), 'AWS::SSM::Parameter').filter(([id]) => id.startsWith('ApiFleetEnvironment'));
    expect(rendered(parameter.Properties.Value)).toContain(`UPLOADS_BUCKET=<graminsta-${SECOND}-Data/PublishOutputRefUploadsReplica`);
    // Browsers POST there once the region is home: the same CORS rule as the home bucket.
    const [[, replica]] = resources(regional('Data'), 'AWS::S3::Bucket').filter(([id]) => id.startsWith('UploadsReplica') && !id.includes('AccessLogs'));
    const [[, home]] = resources(templateJson('10m', 'App'), 'AWS::S3::Bucket').filter(([id]) => id.startsWith('MediaBucket'));
    expect(replica.Properties.CorsConfiguration).toEqual(home.Properties.CorsConfiguration);
    expect(replica.Properties.CorsConfiguration.CorsRules[0].AllowedOrigins).toEqual([`https://${DOMAIN}`]);
  });

  test("the second region's bucket replicates back to the home bucket (two-way), through a role of its own that may only read its versions and replicate into the home bucket", () => {
    const [[, config]] = resources(regional('App'), 'Custom::AWS').filter(([id]) => id.startsWith('UploadsReplicationToHome'));
    const create = JSON.parse(rendered(config.Properties.Create));
    expect(create).toMatchObject({ service: 'S3', action: 'putBucketReplication' });
    expect(create.parameters.Bucket).toMatch(new RegExp(`^<graminsta-${SECOND}-Data/PublishOutputRefUploadsReplica\\w+@${SECOND}>$`));
    const [rule] = create.parameters.ReplicationConfiguration.Rules;
    expect(rule).toMatchObject({ Status: 'Enabled', DeleteMarkerReplication: { Status: 'Enabled' }, Filter: { Prefix: '' } });
    expect(rule.Destination.Bucket).toBe(`<graminsta-App/PublishOutputFnGetAttMediaBucket4022EBBFArn7E2EBF85@${HOME}>`);
    expect(JSON.parse(rendered(config.Properties.Delete))).toMatchObject({ service: 'S3', action: 'deleteBucketReplication' });
    const role = create.parameters.ReplicationConfiguration.Role.match(/^<(\w+)\.Arn>$/)[1];
    const policy = resources(regional('App'), 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === role))![1];
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Action).flat().sort()).toEqual(
      ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging', 's3:GetReplicationConfiguration', 's3:ListBucket', 's3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'].sort(),
    );
  });

  test("the second region makes thumbnails of the photos uploaded there (its own function on its own bucket's originals, photo.ready to its own queue)", () => {
    const [[functionId, fn]] = resources(regional('App'), 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ThumbnailsFunction'));
    expect(stackOutput(fn.Properties.Environment.Variables.WORK_QUEUE_URL)).toMatchObject({ StackName: `graminsta-${SECOND}-Data`, Region: SECOND });
    const [[, notifications]] = resources(regional('App'), 'Custom::S3BucketNotifications');
    expect(stackOutput(notifications.Properties.BucketName)).toMatchObject({ StackName: `graminsta-${SECOND}-Data`, Region: SECOND });
    expect(notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations).toEqual([
      { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'media/originals/' }] } }, LambdaFunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] } },
    ]);
    // Only its own bucket may invoke it, from this account (the guard rule cannot read the cross-stack ARN: tools/compliance).
    for (const template of [regional('App'), templateJson('10m', 'App')]) {
      for (const [, permission] of resources(template, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 's3.amazonaws.com')) {
        expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
        expect(permission.Properties.SourceArn).toBeTruthy();
      }
    }
  });

  test('each region has a latency record for the API origin, guarded by a Route 53 HTTPS health check of /readyz through its public origin, which admits the checkers', () => {
    for (const [template, region] of [[templateJson('10m', 'App'), HOME], [regional('App'), SECOND]] as const) {
      const records = resources(template, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Name === `api-origin.${DOMAIN}.`);
      expect(records).toHaveLength(1);
      const record = records[0][1].Properties;
      expect({ region: record.Region, set: record.SetIdentifier, zone: record.HostedZoneId }).toEqual({ region, set: region, zone: EXAMPLE_REGION_OPTIONS.hostedZoneId });
      const [[checkId, check]] = resources(template, 'AWS::Route53::HealthCheck');
      expect(record.HealthCheckId).toEqual({ 'Fn::GetAtt': [checkId, 'HealthCheckId'] });
      // The public origin's own name (the latency name would resolve to the region nearest each checker).
      const [[balancerId, balancer]] = resources(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, b]) => b.Properties.Scheme === 'internet-facing');
      expect(check.Properties.HealthCheckConfig).toEqual({
        Type: 'HTTPS',
        FullyQualifiedDomainName: { 'Fn::GetAtt': [balancerId, 'DNSName'] },
        Port: 443,
        ResourcePath: '/readyz',
        EnableSNI: false,
        RequestInterval: 30,
        FailureThreshold: 3,
      });
      // Its listener forwards every request to the fleet: the API, not the load balancer, answers /readyz without the origin secret.
      const [[listenerId, listener]] = resources(template, 'AWS::ElasticLoadBalancingV2::Listener').filter(([, l]) => l.Properties.LoadBalancerArn.Ref === balancerId);
      expect(listener.Properties).toMatchObject({ Port: 443, Protocol: 'HTTPS', DefaultActions: [{ Type: 'forward' }] });
      expect(resources(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([, r]) => r.Properties.ListenerArn.Ref === listenerId)).toHaveLength(0);
      // Two groups: CloudFront's prefix list (weight 55) and Route 53's health checkers' (weight 25) do not fit the 60 rules of one.
      const groups: string[] = balancer.Properties.SecurityGroups.map((g: any) => g['Fn::GetAtt'][0]);
      expect(groups).toHaveLength(2);
      const ingress = (groupId: string) => [
        ...(resources(template, 'AWS::EC2::SecurityGroup').find(([id]) => id === groupId)![1].Properties.SecurityGroupIngress ?? []),
        ...resources(template, 'AWS::EC2::SecurityGroupIngress')
          .filter(([, r]) => r.Properties.GroupId['Fn::GetAtt']?.[0] === groupId)
          .map(([, r]) => r.Properties),
      ];
      const lookups = Object.fromEntries(
        resources(template, 'Custom::AWS')
          .map(([id, r]) => [id, JSON.stringify(r.Properties.Create)] as const)
          .map(([id, create]) => [id, /"Values\\":\[\\"([^\\]+)\\"/.exec(create)?.[1]]),
      );
      const admitted = groups.map((g) => ingress(g).map((rule: any) => ({ port: rule.FromPort, list: lookups[rule.SourcePrefixListId['Fn::GetAtt'][0]] })));
      expect(admitted).toEqual([[{ port: 443, list: 'com.amazonaws.global.cloudfront.origin-facing' }], [{ port: 443, list: `com.amazonaws.${region}.route53-healthchecks` }]]);
      // Each group may send only to the fleet, on the API port.
      for (const group of groups) {
        const egress = resources(template, 'AWS::EC2::SecurityGroupEgress').filter(([, r]) => r.Properties.GroupId['Fn::GetAtt']?.[0] === group);
        expect(egress.map(([, r]) => ({ port: r.Properties.FromPort, to: r.Properties.DestinationSecurityGroupId['Fn::GetStackOutput']?.OutputName }))).toEqual([
          { port: 80, to: expect.stringContaining('SecurityGroupsApi') },
        ]);
      }
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
    // 403 and 404 too: a photo written in the second region while it was home may not have replicated back yet.
    expect(group.FailoverCriteria.StatusCodes.Items.sort()).toEqual([403, 404, 500, 502, 503, 504]);
    expect(media.AllowedMethods ?? ['GET', 'HEAD']).toEqual(['GET', 'HEAD']);
    expect(resources(templateJson('10m', 'App'), 'AWS::CloudFront::VpcOrigin')).toHaveLength(0);
    expect(flatten(api.DomainName)).toBe(`api-origin.${DOMAIN}`);
  });
});
