import { Match } from 'aws-cdk-lib/assertions';
import { loadEnvConfig } from '../../../api/src/config/env-config';
import { resolveConfig } from '../../../api/src/config/resolve-config';
import { API_PORT } from '../../../lib/constructs/compute';
import { synthStage } from '../../../lib/synth';
import { queueVisibilityTimeoutSeconds, stageIndex, stageSpec } from '../../../stages/ladder';
import {
  ALL_STAGES,
  apiEnvFile,
  flatten,
  ingressRules,
  resourcesOfType,
  STACKS,
  template,
  templateJson,
  constructPath,
} from './stage-templates';

const count = (stage: (typeof ALL_STAGES)[number], stack: (typeof STACKS)[number], type: string) =>
  Object.keys(resourcesOfType(stage, stack, type)).length;

describe.each(ALL_STAGES.map((s) => [s]))('stage %s', (stage) => {
  const spec = stageSpec(stage);

  test('has the same four stacks as every stage, named without the stage, so moving up updates them in place (and from stage 100 the Edge stack in us-east-1; at 10m the second region\'s, named with its region)', () => {
    const edge = spec.edge.firewall ? ['graminsta-Edge'] : [];
    const second = spec.regions ? ['Network', 'Data', 'App', 'Monitoring'].map((kind) => `graminsta-eu-west-1-${kind}`) : [];
    expect(Object.keys(synthStage(stage))).toEqual(['graminsta-Network', 'graminsta-Data', 'graminsta-App', 'graminsta-Monitoring', ...edge, ...second]);
  });

  test('has a VPC over two AZs with public, private-with-egress and isolated subnets, and flow logs to a retained log group', () => {
    const network = template(stage, 'Network');
    network.resourceCountIs('AWS::EC2::VPC', 1);
    network.resourceCountIs('AWS::EC2::Subnet', 6);
    network.resourceCountIs('AWS::EC2::NatGateway', spec.network.natGateways);
    network.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    network.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: spec.monitoring.logRetentionDays } });
  });

  test('requires IMDSv2 on every instance and launch template, with encrypted root volumes and no SSH key', () => {
    const app = templateJson(stage, 'App').Resources as Record<string, any>;
    const templates = Object.values(app).filter((r) => r.Type === 'AWS::EC2::LaunchTemplate');
    const instances = Object.values(app).filter((r) => r.Type === 'AWS::EC2::Instance');
    expect(templates.length).toBeGreaterThan(0);
    for (const lt of templates) {
      expect(lt.Properties.LaunchTemplateData.MetadataOptions.HttpTokens).toBe('required');
      expect(lt.Properties.LaunchTemplateData.KeyName).toBeUndefined();
    }
    for (const instance of instances) {
      expect(instance.Properties.KeyName).toBeUndefined();
      expect(instance.Properties.LaunchTemplate).toBeDefined();
    }
    const mappings = [
      ...instances.flatMap((i) => i.Properties.BlockDeviceMappings ?? []),
      ...templates.flatMap((t) => t.Properties.LaunchTemplateData.BlockDeviceMappings ?? []),
    ];
    expect(mappings.length).toBeGreaterThan(0);
    for (const m of mappings) expect(m.Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3' });
  });

  test('runs Amazon Linux 2023 for Graviton, resolved at launch so a new AMI never changes the template', () => {
    const app = templateJson(stage, 'App').Resources as Record<string, any>;
    const imageIds = Object.values(app).flatMap((r) =>
      r.Type === 'AWS::EC2::Instance' ? [r.Properties.ImageId] : r.Type === 'AWS::EC2::LaunchTemplate' && r.Properties.LaunchTemplateData.ImageId ? [r.Properties.LaunchTemplateData.ImageId] : [],
    );
    expect(imageIds).toEqual([`resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`]);
  });

  test('opens nothing to the internet (CloudFront is the only way in) and never SSH', () => {
    const open = ingressRules(stage).filter(({ rule }) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0');
    expect(open).toEqual([]);
    for (const { rule } of ingressRules(stage)) {
      expect(rule.FromPort <= 22 && rule.ToPort >= 22).toBe(false);
    }
  });

  test('users reach the app only over HTTPS through one distribution: every behaviour redirects HTTP and adds HSTS', () => {
    const distributions = Object.values(resourcesOfType(stage, 'App', 'AWS::CloudFront::Distribution'));
    expect(distributions).toHaveLength(1);
    const config = distributions[0].Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03' });
    }
    expect(Object.keys(resourcesOfType(stage, 'App', 'AWS::CloudFront::Distribution'))).toEqual(['SiteDistribution390DED28']);
  });

  test('the API origin carries the origin secret as a Secrets Manager dynamic reference (never the value), and the API is told to check it', () => {
    const config = Object.values(resourcesOfType(stage, 'App', 'AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin.OriginCustomHeaders).toHaveLength(1);
    expect(origin.OriginCustomHeaders[0].HeaderName).toBe('x-origin-verify');
    expect(JSON.stringify(origin.OriginCustomHeaders[0].HeaderValue)).toMatch(/\{\{resolve:secretsmanager:.*OriginVerifySecret/);
    expect(apiEnvFile(stage).ORIGIN_VERIFY_SECRET_ARN).toBe('<token>');
    expect(apiEnvFile(stage).TRUST_PROXY).toBe(spec.compute.kind === 'fleet' ? '2' : '1');
  });

  test('keeps every security group rule in the Network stack (at 10m but the public origin load balancer\'s own groups, CloudFront\'s and Route 53\'s health checkers\', and its rule on the API group, lib/constructs/regions/public-origin.ts says why)', () => {
    const outsidePublicOrigin = (stack: (typeof STACKS)[number], type: string) =>
      Object.values(resourcesOfType(stage, stack, type)).filter((r) => !constructPath(r).startsWith('PublicOrigin/')).length;
    for (const stack of ['Data', 'App', 'Monitoring'] as const) {
      expect(outsidePublicOrigin(stack, 'AWS::EC2::SecurityGroupIngress')).toBe(0);
      expect(outsidePublicOrigin(stack, 'AWS::EC2::SecurityGroupEgress')).toBe(0);
      expect(outsidePublicOrigin(stack, 'AWS::EC2::SecurityGroup')).toBe(0);
    }
    expect(count(stage, 'App', 'AWS::EC2::SecurityGroup')).toBe(spec.regions ? 2 : 0);
  });

  test('sends every alarm to the SNS topic and has one dashboard', () => {
    const monitoring = template(stage, 'Monitoring');
    monitoring.resourceCountIs('AWS::SNS::Topic', 1);
    monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = Object.values(resourcesOfType(stage, 'Monitoring', 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    const topicId = Object.keys(resourcesOfType(stage, 'Monitoring', 'AWS::SNS::Topic'))[0];
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  test('delivers the API through cfn-init: bundle from an S3 asset, env file, systemd unit, restarted on change', () => {
    const app = Object.values(templateJson(stage, 'App').Resources as Record<string, any>);
    const host = app.find((r) => r.Type === 'AWS::EC2::Instance' || r.Type === 'AWS::AutoScaling::AutoScalingGroup');
    const init = host.Metadata['AWS::CloudFormation::Init'];
    expect(init.configSets).toEqual({ graminsta: ['base', 'volume', 'database', 'api', 'agent', 'hup', 'verify'] });
    expect(Object.keys(init.base.packages.yum)).toEqual(expect.arrayContaining(['nodejs22', 'amazon-cloudwatch-agent']));
    expect(flatten(init.api.sources['/opt/graminsta/api']['Fn::Sub'] ?? init.api.sources['/opt/graminsta/api'])).toMatch(/\.zip$/);
    expect(init.api.files['/etc/systemd/system/graminsta-api.service'].content).toMatch(/Restart=on-failure/);
    expect(init.api.services.systemd['graminsta-api']).toMatchObject({
      enabled: true,
      ensureRunning: true,
      files: expect.arrayContaining(['/etc/graminsta/api.env', '/etc/systemd/system/graminsta-api.service']),
      sources: expect.arrayContaining(['/opt/graminsta/api']),
    });
    expect(init.verify.commands['000'].command).toBe('/usr/local/sbin/graminsta-wait-healthy');
  });

  test('configures the API only through the documented variables', () => {
    const env = apiEnvFile(stage);
    const documented = [
      'PORT', 'HOST', 'LOG_LEVEL', 'DATA_DIR', 'WEB_ROOT', 'DATABASE_URL', 'DATABASE_SECRET_ARN', 'DATABASE_CA_FILE',
      'DATABASE_REPLICA_HOSTS', 'SHARD_MAP_PARAMETER', 'REDIS_URL', 'REDIS_CLUSTER', 'REDIS_AUTH_SECRET_ARN',
      'UPLOADS_BUCKET', 'UPLOAD_MODE', 'MEDIA_BASE_URL', 'TRUST_PROXY', 'WORK_QUEUE_URL', 'AWS_REGION',
      'SHARD_MAP_VERSION', 'QUEUE', 'QUEUE_VISIBILITY_TIMEOUT_MS', 'WORKER_JOB_TIMEOUT_MS', 'WORKER_CONCURRENCY',
      'ORIGIN_VERIFY_SECRET_ARN', 'REGION_CONFIG_PARAMETER', 'SESSIONS_DATABASE_FALLBACK',
    ];
    expect(Object.keys(env).filter((k) => !documented.includes(k))).toEqual([]);
    expect(env).toMatchObject({ PORT: '80', HOST: '0.0.0.0' });
    expect(JSON.stringify(env)).not.toMatch(/password/i);
  });
});

/** Plausible values for the parts CloudFormation fills in (the env file's `<token>`s), by variable. */
const RESOLVED: Record<string, string> = {
  DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
  ORIGIN_VERIFY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin-AbCdEf',
  REDIS_AUTH_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-AbCdEf',
  DATABASE_REPLICA_HOSTS: 'replica.example.eu-west-1.rds.amazonaws.com',
  SHARD_MAP_PARAMETER: 'graminsta-ShardMap-AbCdEf',
  REGION_CONFIG_PARAMETER: 'graminsta-RegionConfig-AbCdEf',
  REDIS_URL: 'cache.example.eu-west-1.cache.amazonaws.com',
  UPLOADS_BUCKET: 'graminsta-app-mediabucket',
  MEDIA_BASE_URL: 'd111111abcdef8.cloudfront.net',
  WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/graminsta-Data-WorkQueue',
  AWS_REGION: 'eu-west-1',
};

describe.each(ALL_STAGES.map((s) => [s]))('stage %s env file', (stage) => {
  test("is a configuration the API and the worker accept (api/src/config/env-config.ts), tokens resolved to plausible values", () => {
    const env = Object.fromEntries(
      Object.entries(apiEnvFile(stage)).map(([name, value]) => [name, name === 'WORK_QUEUE_URL' && value === '<token>' ? RESOLVED[name] : value.replace(/<token>(:<token>)?/g, (_m, port) => (port ? `${RESOLVED[name]}:5432` : RESOLVED[name]))]),
    );
    expect(Object.values(env).join('\n')).not.toContain('undefined');
    const config = loadEnvConfig(env, '/');
    expect(config.port).toBe(80);
    const queue = stageSpec(stage).queue;
    expect({ queue: config.queue, jobTimeoutMs: queue && config.workerJobTimeoutMs, concurrency: queue && config.workerConcurrency }).toEqual(
      queue ? { queue: 'sqs', jobTimeoutMs: queue.jobTimeoutSeconds * 1000, concurrency: queue.workerConcurrency } : { queue: undefined, jobTimeoutMs: undefined, concurrency: undefined },
    );
  });
});

describe('stage 1: one instance runs the API and PostgreSQL', () => {
  test('has one instance with an Elastic IP and a separate encrypted, retained gp3 data volume attached at launch', () => {
    const app = template('1', 'App');
    app.resourceCountIs('AWS::EC2::Instance', 1);
    app.resourceCountIs('AWS::EC2::EIP', 1);
    app.hasResource('AWS::EC2::Volume', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Encrypted: true, VolumeType: 'gp3', Size: 20 },
    });
    app.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.small',
      Volumes: [{ Device: '/dev/sdf', VolumeId: { Ref: Match.stringLikeRegexp('^ApiServerDataVolume') } }],
    });
  });

  test('is managed through SSM and ships logs and metrics with the CloudWatch agent', () => {
    template('1', 'App').hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] },
      ]),
    });
  });

  test('installs PostgreSQL 16 on the data volume, Unix socket and peer auth only, and the API uses it without a password', () => {
    const app = Object.values(templateJson('1', 'App').Resources as Record<string, any>);
    const init = app.find((r) => r.Type === 'AWS::EC2::Instance').Metadata['AWS::CloudFormation::Init'];
    expect(Object.keys(init.base.packages.yum)).toContain('postgresql16-server');
    const setup = init.database.files['/usr/local/sbin/graminsta-setup-postgres'].content as string;
    expect(setup).toContain("listen_addresses = ''");
    expect(setup).toContain('local all all peer');
    expect(setup).toContain('PGDATA=/var/lib/graminsta/postgresql');
    expect(apiEnvFile('1')).toMatchObject({ DATABASE_URL: 'postgres:///graminsta?host=/run/postgresql', DATA_DIR: '/var/lib/graminsta', WEB_ROOT: '/opt/graminsta/web' });
  });

  test('backs the data volume up daily (by tag) into a retained vault', () => {
    const data = template('1', 'Data');
    data.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    data.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { ListOfTags: [{ ConditionKey: 'graminsta:backup', ConditionValue: 'daily', ConditionType: 'STRINGEQUALS' }] },
    });
    template('1', 'App').hasResourceProperties('AWS::EC2::Volume', { Tags: Match.arrayWith([{ Key: 'graminsta:backup', Value: 'daily' }]) });
  });

  test('has no RDS, load balancer or site bucket yet; the distribution sends everything to the instance, which serves the web client', () => {
    expect(count('1', 'Data', 'AWS::RDS::DBInstance')).toBe(0);
    expect(count('1', 'App', 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toBe(0);
    // Only CloudFront's log bucket.
    expect(Object.keys(resourcesOfType('1', 'App', 'AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^SiteAccessLogs/)]);
    const dist = Object.values(resourcesOfType('1', 'App', 'AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(dist.Origins).toHaveLength(1);
    expect(JSON.stringify(dist.Origins[0].DomainName)).toMatch(/Fn::If.*ApiServerEip/);
    expect(apiEnvFile('1').WEB_ROOT).toBe('/opt/graminsta/web');
  });

  test("the instance accepts HTTP only from CloudFront's origin-facing prefix list", () => {
    const http = ingressRules('1').filter(({ rule }) => rule.FromPort === 80);
    expect(http).toHaveLength(1);
    expect(http[0].rule.SourcePrefixListId).toBeDefined();
    expect(http[0].rule.CidrIp).toBeUndefined();
  });
});

describe('stage 10: managed RDS PostgreSQL', () => {
  test('RDS is encrypted, backed up 7+ days, deletion-protected, snapshotted on removal, private, TLS-only', () => {
    const data = template('10', 'Data');
    data.resourceCountIs('AWS::RDS::DBInstance', 1);
    data.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({
        Engine: 'postgres',
        EngineVersion: '16',
        StorageEncrypted: true,
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
        PubliclyAccessible: false,
        MultiAZ: false,
        DBInstanceClass: 'db.t4g.micro',
      }),
    });
    data.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  test('RDS sits in the isolated subnets and only the API and credential rotation security groups reach port 5432', () => {
    const subnetGroup = Object.values(resourcesOfType('10', 'Data', 'AWS::RDS::DBSubnetGroup'))[0];
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/DataSubnet1.*DataSubnet2/);
    const dbRules = ingressRules('10').filter(({ rule }) => rule.FromPort === 5432);
    expect(dbRules.map(({ rule }) => JSON.stringify(rule.SourceSecurityGroupId).match(/SecurityGroups(\w+?)[0-9A-F]{8}/)?.[1]).sort()).toEqual(['Api', 'DatabaseRotation']);
  });

  test('the instance API uses RDS through its secret and stops (but keeps) the local PostgreSQL', () => {
    const env = apiEnvFile('10');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATABASE_SECRET_ARN).toBe('<token>');
    expect(env.DATABASE_CA_FILE).toBe('/etc/graminsta/rds-ca.pem');
    const app = Object.values(templateJson('10', 'App').Resources as Record<string, any>);
    const init = app.find((r) => r.Type === 'AWS::EC2::Instance').Metadata['AWS::CloudFormation::Init'];
    expect(init.database.files['/usr/local/sbin/graminsta-stop-postgres'].content).toContain('systemctl disable --now postgresql.service');
  });

  test('has no load balancer and no site bucket yet', () => {
    expect(count('10', 'App', 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toBe(0);
    expect(Object.keys(resourcesOfType('10', 'App', 'AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^SiteAccessLogs/)]);
  });
});

describe('stage 100: the web client on S3 + CloudFront', () => {
  test('the site bucket is private, encrypted, SSL-only and versioned, read through origin access control', () => {
    const app = template('100', 'App');
    app.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    app.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  test('CloudFront routes /api/* to the instance by its EIP DNS name, so the browser stays same-origin', () => {
    const dist = Object.values(resourcesOfType('100', 'App', 'AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const api = dist.CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
    expect(api).toBeDefined();
    const origin = dist.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'http-only', HTTPPort: 80 });
    expect(JSON.stringify(origin.DomainName)).toMatch(/Fn::If.*ApiServerEip/);
  });

  test("the instance accepts HTTP only from CloudFront's origin-facing prefix list, resolved at deploy time", () => {
    const http = ingressRules('100').filter(({ rule }) => rule.FromPort === 80);
    expect(http).toHaveLength(1);
    expect(http[0].rule.SourcePrefixListId).toBeDefined();
    template('100', 'Network').hasResourceProperties('Custom::AWS', {
      Create: Match.stringLikeRegexp('com\\.amazonaws\\.global\\.cloudfront\\.origin-facing'),
    });
  });

  test('the API no longer serves the web client but trusts the proxy headers', () => {
    expect(apiEnvFile('100').WEB_ROOT).toBeUndefined();
    expect(apiEnvFile('100').TRUST_PROXY).toBe('1');
    expect(apiEnvFile('1k').TRUST_PROXY).toBe('2');
  });

  test('still has the single instance and no load balancer', () => {
    expect(count('100', 'App', 'AWS::EC2::Instance')).toBe(1);
    expect(count('100', 'App', 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toBe(0);
  });
});

describe('stage 1k: load balancer + Auto Scaling group', () => {
  test('an Auto Scaling group of at least 2 in both AZs, ELB health checks, target tracking, rolling updates with signals', () => {
    const app = template('1k', 'App');
    app.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      Properties: Match.objectLike({ MinSize: '2', MaxSize: '4', HealthCheckType: 'ELB', HealthCheckGracePeriod: 300 }),
      UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 1, MinInstancesInService: 2, WaitOnResourceSignals: true }) },
      CreationPolicy: { ResourceSignal: Match.objectLike({ Count: 2 }) },
    });
    const asg = Object.values(resourcesOfType('1k', 'App', 'AWS::AutoScaling::AutoScalingGroup'))[0];
    expect(asg.Properties.VPCZoneIdentifier).toHaveLength(2);
    expect(asg.Properties.DesiredCapacity).toBeUndefined();
    app.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: Match.objectLike({ TargetValue: 50 }),
    });
  });

  test('the load balancer is internal, health-checks /healthz, and CloudFront reaches it as a VPC origin (from inside the VPC only)', () => {
    const app = template('1k', 'App');
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/healthz', Port: 80, Protocol: 'HTTP' });
    app.hasResourceProperties('AWS::CloudFront::VpcOrigin', { VpcOriginEndpointConfig: Match.objectLike({ HTTPPort: 80, OriginProtocolPolicy: 'http-only' }) });
    const http = ingressRules('1k').filter(({ rule }) => rule.FromPort === 80);
    expect(http).toHaveLength(2);
    // The load balancer admits the VPC's range (CloudFront's VPC origin interfaces), the API only the load balancer.
    expect(http.filter(({ rule }) => JSON.stringify(rule.CidrIp ?? '').includes('CidrBlock'))).toHaveLength(1);
    expect(http.filter(({ rule }) => rule.SourceSecurityGroupId)).toHaveLength(1);
    expect(count('1k', 'Network', 'Custom::AWS')).toBe(0);
  });

  test('the single instance and its volume are gone, RDS is Multi-AZ and the uploads bucket exists', () => {
    expect(count('1k', 'App', 'AWS::EC2::Instance')).toBe(0);
    expect(count('1k', 'App', 'AWS::EC2::Volume')).toBe(0);
    template('1k', 'Data').hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
    template('1k', 'App').hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    expect(apiEnvFile('1k')).toMatchObject({ UPLOADS_BUCKET: '<token>', UPLOAD_MODE: 'proxy' });
    expect(apiEnvFile('1k').DATA_DIR).toBeUndefined();
  });

  test('has no thumbnails function and no media behaviour yet', () => {
    expect(count('1k', 'App', 'AWS::Lambda::Function')).toBeLessThanOrEqual(count('1k', 'App', 'Custom::CDKBucketDeployment'));
    const dist = Object.values(resourcesOfType('1k', 'App', 'AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(dist.CacheBehaviors.map((b: any) => b.PathPattern)).not.toContain('/media/*');
  });
});

describe('stage 10k: media through the CDN', () => {
  test('/media/* goes to the uploads bucket, browsers POST with presigned forms, a Lambda makes thumbnails', () => {
    const dist = Object.values(resourcesOfType('10k', 'App', 'AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(dist.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(expect.arrayContaining(['/api/*', '/media/*']));
    template('10k', 'App').hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['POST'] })] },
    });
    template('10k', 'App').resourceCountIs('Custom::S3BucketNotifications', 1);
    expect(apiEnvFile('10k')).toMatchObject({ UPLOAD_MODE: 'presigned', MEDIA_BASE_URL: 'https://<token>/' });
  });

  test('has no cache and no replicas yet', () => {
    expect(count('10k', 'Data', 'AWS::ElastiCache::ReplicationGroup')).toBe(0);
    expect(count('10k', 'Data', 'AWS::RDS::DBInstance')).toBe(1);
  });
});

describe('stage 100k: cache and read replicas', () => {
  test('Redis in cluster mode with encryption in transit and at rest, AUTH, failover and Multi-AZ', () => {
    template('100k', 'Data').hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ClusterMode: 'enabled',
      NumNodeGroups: 2,
      ReplicasPerNodeGroup: 1,
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      AuthToken: Match.anyValue(),
    });
    expect(apiEnvFile('100k')).toMatchObject({ REDIS_CLUSTER: 'true', REDIS_URL: 'rediss://<token>:6379', REDIS_AUTH_SECRET_ARN: '<token>' });
  });

  test('two read replicas of the primary, and the API reads through them', () => {
    const replicas = Object.values(resourcesOfType('100k', 'Data', 'AWS::RDS::DBInstance')).filter((r) => r.Properties.SourceDBInstanceIdentifier);
    expect(replicas).toHaveLength(2);
    expect(apiEnvFile('100k').DATABASE_REPLICA_HOSTS).toBe('<token>:<token>,<token>:<token>');
  });

  test('Redis and the replicas are reachable only from the API', () => {
    const redis = ingressRules('100k').filter(({ rule }) => rule.FromPort === 6379);
    expect(redis).toHaveLength(1);
    expect(JSON.stringify(redis[0].rule.SourceSecurityGroupId)).toMatch(/SecurityGroupsApi/);
  });

  test('has no shard map and no queue yet', () => {
    expect(count('100k', 'Data', 'AWS::SSM::Parameter')).toBe(0);
    expect(count('100k', 'Data', 'AWS::SQS::Queue')).toBe(0);
  });
});

describe('stage 1m: shards and a work queue', () => {
  test('four primaries with two replicas each', () => {
    const instances = Object.values(resourcesOfType('1m', 'Data', 'AWS::RDS::DBInstance'));
    expect(instances.filter((r) => !r.Properties.SourceDBInstanceIdentifier)).toHaveLength(4);
    expect(instances.filter((r) => r.Properties.SourceDBInstanceIdentifier)).toHaveLength(8);
  });

  test('a shard map of 4096 logical shards: all on primary-0 (the 100k primary), the new primaries named and empty until the runbook moves shards', () => {
    const param = Object.values(resourcesOfType('1m', 'Data', 'AWS::SSM::Parameter'))[0];
    const text = flatten(param.Properties.Value);
    const map = JSON.parse(text.replace(/<token>/g, 'x'));
    expect(map.logicalShards).toBe(4096);
    expect(map.primaries.map((p: any) => [p.name, p.shards])).toEqual([
      ['primary-0', [[0, 4095]]],
      ['primary-1', []],
      ['primary-2', []],
      ['primary-3', []],
    ]);
    // primary-0 is the Database construct that has existed since stage 10.
    const [first, firstSecret] = param.Properties.Value['Fn::Join'][1];
    expect(first).toMatch(/"name":"primary-0","secretArn":"$/);
    expect(firstSecret).toEqual({ Ref: 'DatabaseSecret3B817195' });
    expect(apiEnvFile('1m').SHARD_MAP_PARAMETER).toBe('<token>');
    expect(apiEnvFile('1m').SHARD_MAP_VERSION).toMatch(/^[0-9a-f]{12}$/);
  });

  test('the API resolves the synthesized map (as CloudFormation would fill it in): four named primaries, primary-0 owning every shard, two replicas each', async () => {
    const param = Object.values(resourcesOfType('1m', 'Data', 'AWS::SSM::Parameter'))[0];
    const [, parts] = param.Properties.Value['Fn::Join'];
    // What CloudFormation substitutes: a secret ARN per Ref, host and port per replica endpoint.
    const value = (parts as any[])
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part.Ref) return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${part.Ref}`;
        const [id, attribute] = part['Fn::GetAtt'];
        return attribute === 'Endpoint.Port' ? '5432' : `${id.toLowerCase()}.abc.eu-west-1.rds.amazonaws.com`;
      })
      .join('');
    const env = { SHARD_MAP_PARAMETER: 'graminsta-ShardMap', AWS_REGION: 'eu-west-1', PORT: '80' };
    const source = {
      getParameter: async (name: string) => (name === 'graminsta-ShardMap' ? value : Promise.reject(new Error(`no parameter ${name}`))),
      getSecretString: async (arn: string) =>
        JSON.stringify({ host: `${arn.split(':').pop()!.toLowerCase()}.rds.amazonaws.com`, port: 5432, username: 'graminsta', password: 'x', dbname: 'graminsta' }),
    };
    const config = await resolveConfig(loadEnvConfig(env, '/'), source, env);
    expect(config.primaries.map((p) => [p.name, p.shards, p.replicas.length])).toEqual([
      ['primary-0', [[0, 4095]], 2],
      ['primary-1', [], 2],
      ['primary-2', [], 2],
      ['primary-3', [], 2],
    ]);
    expect(config.primaries[0].primary).toMatchObject({ host: expect.stringMatching(/^databasesecret/), port: 5432 });
    expect(config.primaries[0].replicas[0]).toMatchObject({ host: expect.stringMatching(/^databasereplica1/), port: 5432 });
  });

  test('an SQS work queue whose visibility timeout is derived from the job timeout, and a dead-letter queue after maxReceiveCount', () => {
    const queue = stageSpec('1m').queue!;
    template('1m', 'Data').hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: queueVisibilityTimeoutSeconds(queue),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: queue.maxReceiveCount }),
    });
  });

  test('the worker runs on every fleet instance as a second systemd service from the same bundle and env file, told to use SQS', () => {
    const group = Object.values(resourcesOfType('1m', 'App', 'AWS::AutoScaling::AutoScalingGroup'))[0];
    const init = group.Metadata['AWS::CloudFormation::Init'];
    const unit = flatten(init.api.files['/etc/systemd/system/graminsta-worker.service'].content);
    expect(unit).toMatch(/^ExecStart=\S+ --enable-source-maps \/opt\/graminsta\/api\/worker\.js$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/graminsta\/api\.env$/m);
    expect(init.api.services.systemd['graminsta-worker']).toMatchObject({ enabled: true, ensureRunning: true });
    // A new bundle or env file restarts the worker too.
    expect(init.api.services.systemd['graminsta-worker'].files).toEqual(expect.arrayContaining(['/etc/graminsta/api.env']));
    expect(init.api.services.systemd['graminsta-worker'].sources).toEqual(['/opt/graminsta/api']);
    const queue = stageSpec('1m').queue!;
    expect(apiEnvFile('1m')).toMatchObject({
      QUEUE: 'sqs',
      WORK_QUEUE_URL: '<token>',
      QUEUE_VISIBILITY_TIMEOUT_MS: String(queueVisibilityTimeoutSeconds(queue) * 1000),
      WORKER_JOB_TIMEOUT_MS: String(queue.jobTimeoutSeconds * 1000),
      WORKER_CONCURRENCY: String(queue.workerConcurrency),
    });
    // The instance's signal waits for the worker as well as /healthz.
    expect(init.verify.commands).toEqual(expect.objectContaining({ '001': expect.objectContaining({ command: '/usr/local/sbin/graminsta-wait-worker' }) }));
  });

  test('the fleet role may send, receive, delete and change visibility on the work queue; the thumbnail function may only send, and knows the queue', () => {
    const app = templateJson('1m', 'App').Resources as Record<string, any>;
    const sqsActions = (roleMatch: RegExp) =>
      Object.values(app)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).match(roleMatch))
        .flatMap((r) => r.Properties.PolicyDocument.Statement)
        .filter((st: any) => JSON.stringify(st.Resource).includes('WorkQueue'))
        .flatMap((st: any) => st.Action);
    expect(new Set(sqsActions(/ApiFleetRole/))).toEqual(
      new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
    );
    expect(new Set(sqsActions(/MediaThumbnailsFunctionRole/))).toEqual(new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']));
    template('1m', 'App').hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('thumbnail'),
      Environment: { Variables: Match.objectLike({ WORK_QUEUE_URL: Match.anyValue() }) },
    });
  });

  test('no Lambda queue worker and no worker security group any more: the thumbnail function is the only Lambda consumer-side code', () => {
    expect(count('1m', 'App', 'AWS::Lambda::EventSourceMapping')).toBe(0);
    const functions = Object.values(resourcesOfType('1m', 'App', 'AWS::Lambda::Function')).map((f) => String(f.Properties.Description ?? ''));
    expect(functions.filter((d) => /queue/i.test(d))).toEqual([]);
    expect(JSON.stringify(templateJson('1m', 'Network'))).not.toMatch(/SecurityGroupsWorker/);
  });

  test('stages before 1m get no worker, no queue variables and no shard map version', () => {
    for (const stage of ALL_STAGES.filter((s) => stageIndex(s) < stageIndex('1m'))) {
      const env = apiEnvFile(stage);
      expect({ stage, vars: Object.keys(env).filter((k) => /^(QUEUE|WORKER_|SHARD_MAP_VERSION)/.test(k)) }).toEqual({ stage, vars: [] });
      expect(JSON.stringify(templateJson(stage, 'App'))).not.toMatch(/graminsta-worker/);
    }
  });
});

const REPLICA_STAGES = ALL_STAGES.filter((s) => {
  const db = stageSpec(s).database;
  return db.kind === 'rds' && db.readReplicas > 0;
});
const FLEET_STAGES = ALL_STAGES.filter((s) => stageSpec(s).compute.kind === 'fleet');
const THUMBNAIL_STAGES = ALL_STAGES.filter((s) => stageSpec(s).uploads?.thumbnails);

describe.each(REPLICA_STAGES.map((s) => [s]))('stage %s read replicas', (stage) => {
  test('every read replica has gp3 storage and autoscales to the same ceiling as the primaries, taking its size from its primary', () => {
    const db = stageSpec(stage).database;
    if (db.kind !== 'rds') throw new Error(`stage ${stage} has no RDS`);
    template(stage, 'Data').resourcePropertiesCountIs(
      'AWS::RDS::DBInstance',
      // No AllocatedStorage of its own: a fixed size below what the primary has grown to could not be applied.
      { SourceDBInstanceIdentifier: Match.anyValue(), StorageType: 'gp3', MaxAllocatedStorage: db.maxAllocatedStorageGiB, AllocatedStorage: Match.absent() },
      db.primaries * db.readReplicas,
    );
  });

  test('each replica has exactly its own primary\'s storage type and autoscaling ceiling, so it cannot fill up before its primary does', () => {
    const instances = resourcesOfType(stage, 'Data', 'AWS::RDS::DBInstance');
    const replicas = Object.entries(instances).filter(([, r]) => r.Properties.SourceDBInstanceIdentifier);
    expect(replicas.length).toBeGreaterThan(0);
    for (const [id, replica] of replicas) {
      const refs = [...JSON.stringify(replica.Properties.SourceDBInstanceIdentifier).matchAll(/"Ref":"(\w+)"/g)].map((m) => m[1]);
      const sourceId = refs.find((ref) => instances[ref]);
      const storage = (r: any) => ({ StorageType: r.Properties.StorageType, MaxAllocatedStorage: r.Properties.MaxAllocatedStorage });
      expect({ replica: id, ...storage(replica) }).toEqual({ replica: id, ...storage(instances[sourceId!]) });
    }
  });
});

describe.each(FLEET_STAGES.map((s) => [s]))('stage %s fleet scaling', (stage) => {
  test('the CPU target-tracking policy sets no Cooldown (AWS applies cooldowns to simple scaling only) and no warm-up of its own', () => {
    template(stage, 'App').resourcePropertiesCountIs(
      'AWS::AutoScaling::ScalingPolicy',
      { PolicyType: 'TargetTrackingScaling', Cooldown: Match.absent(), EstimatedInstanceWarmup: Match.absent() },
      1,
    );
  });

  test('the group has a default instance warm-up as long as its health-check grace period: a booting instance\'s CPU joins the scaling metric only once cfn-init has installed the API', () => {
    template(stage, 'App').hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { DefaultInstanceWarmup: 300, HealthCheckGracePeriod: 300 });
  });
});

describe.each(FLEET_STAGES.map((s) => [s]))('stage %s load balancer egress', (stage) => {
  const groupId = (description: string) => {
    const groups = resourcesOfType(stage, 'Network', 'AWS::EC2::SecurityGroup');
    return Object.keys(groups).find((id) => groups[id].Properties.GroupDescription === description)!;
  };

  test('the load balancer\'s group may send only to the API group on the API port: no default allow-all egress', () => {
    const network = template(stage, 'Network');
    const lb = { 'Fn::GetAtt': [groupId('Graminsta Application Load Balancer'), 'GroupId'] };
    // Inline, only CDK's match-nothing rule: a group created with no egress rule of its own gets EC2's allow-all rule.
    network.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Graminsta Application Load Balancer',
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
    });
    network.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { GroupId: lb }, 1);
    network.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: lb,
      IpProtocol: 'tcp',
      FromPort: API_PORT,
      ToPort: API_PORT,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [groupId('Graminsta API servers'), 'GroupId'] },
    });
  });
});

describe.each(THUMBNAIL_STAGES.map((s) => [s]))('stage %s thumbnails', (stage) => {
  test('the thumbnail function reserves no concurrency: a new account\'s Lambda quota has none to spare, and the spec does not ask for any', () => {
    expect(stageSpec(stage).uploads!.thumbnails!.reservedConcurrency).toBeUndefined();
    template(stage, 'App').resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Description: Match.stringLikeRegexp('thumbnail'), ReservedConcurrentExecutions: Match.absent() },
      1,
    );
  });
});

describe('monitoring grows with the stage', () => {
  const alarmCount = (stage: (typeof ALL_STAGES)[number]) => count(stage, 'Monitoring', 'AWS::CloudWatch::Alarm');

  test('every stage has at least as many alarms as the one below it, except where the instance gives way to the fleet', () => {
    const counts = ALL_STAGES.map(alarmCount);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(ALL_STAGES[i] === '1k' ? counts[i - 1] - 2 : counts[i - 1]);
  });

  test.each([
    ['1', ['InstanceCpu', 'InstanceStatusCheck', 'InstanceRootDisk', 'InstanceDataDisk']],
    ['10', ['DatabaseDatabaseCpu', 'DatabaseDatabaseFreeStorage', 'DatabaseDatabaseConnections']],
    ['1k', ['FleetLoadBalancer5xx', 'FleetApi5xx', 'FleetLatency', 'FleetUnhealthyTargets']],
    ['100k', ['DatabaseDatabaseReplica1Lag', 'CacheNode1Memory', 'CacheNode1Evictions']],
    ['1m', ['WorkQueueWorkDeadLetters', 'WorkQueueWorkBacklog', 'Shard3DatabaseShard3DatabaseCpu']],
  ] as const)('stage %s alarms on %p', (stage, names) => {
    const ids = Object.keys(resourcesOfType(stage, 'Monitoring', 'AWS::CloudWatch::Alarm'));
    for (const name of names) expect(ids.some((id) => id.startsWith(`Alarms${name}`))).toBe(true);
  });
});
