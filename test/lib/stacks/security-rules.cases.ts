/**
 * Issue 14: the Well-Architected security and reliability rules, checked on
 * every stage's synthesized templates wherever the resource exists.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStageApp } from '../../../lib/build-app';
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { synthStage } from '../../../lib/synth';
import { stageSpec, type StageName } from '../../../stages/ladder';
import { ALL_STAGES, constructPath, flatten, resourcesOfType, STACKS, type StackKind, template, templateJson } from './stage-templates';

const RDS_STAGES = ALL_STAGES.filter((s) => stageSpec(s).database.kind === 'rds');
const SITE_STAGES = ALL_STAGES.filter((s) => stageSpec(s).site);
const UPLOAD_STAGES = ALL_STAGES.filter((s) => stageSpec(s).uploads);
const FLEET_STAGES = ALL_STAGES.filter((s) => stageSpec(s).compute.kind === 'fleet');

/** Every resource of a stage's four home-region stacks, with its stack and logical ID. */
function allResources(stage: StageName): Array<{ stack: StackKind; id: string; resource: any }> {
  return STACKS.flatMap((stack) => Object.entries(templateJson(stage, stack).Resources as Record<string, any>).map(([id, resource]) => ({ stack, id, resource })));
}

/** The logical ID of the bucket a policy protects, or of a resource a value names. */
const named = (value: unknown) => JSON.stringify(value).match(/"(?:Ref|Fn::GetAtt)":\[?"(\w+)"/)?.[1];

/** The telemetry key as another stack reads it: a weak reference to the Network stack's output of the key's ARN. */
function keyReference(stage: StageName, stack: StackKind): unknown {
  const network = templateJson(stage, 'Network');
  const keyId = Object.keys(resourcesOfType(stage, 'Network', 'AWS::KMS::Key'))[0];
  if (stack === 'Network') return { 'Fn::GetAtt': [keyId, 'Arn'] };
  const output = Object.entries(network.Outputs as Record<string, any>).find(([, o]) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }));
  expect(output).toBeDefined();
  // Stage 10m pins the home stacks to the home region, so CDK writes it as a literal.
  const region = stageSpec(stage).regions ? EXAMPLE_REGION_OPTIONS.regions.split(',')[0] : { Ref: 'AWS::Region' };
  return { 'Fn::GetStackOutput': { StackName: 'graminsta-Network', OutputName: output![0], Region: region } };
}

describe.each(ALL_STAGES.map((s) => [s]))('stage %s S3', (stage) => {
  test('every bucket, the log buckets included, has a policy denying any request that does not use TLS', () => {
    const buckets = Object.keys(resourcesOfType(stage, 'App', 'AWS::S3::Bucket'));
    expect(buckets.length).toBeGreaterThan(0);
    const policies = Object.values(resourcesOfType(stage, 'App', 'AWS::S3::BucketPolicy'));
    for (const bucket of buckets) {
      const statements = policies.filter((p) => named(p.Properties.Bucket) === bucket).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect({ bucket, denies: statements.some((st: any) => st.Effect === 'Deny' && st.Principal?.AWS === '*' && st.Action === 's3:*' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false') }).toEqual({ bucket, denies: true });
    }
  });
});

describe.each(SITE_STAGES.map((s) => [s]))('stage %s site bucket', (stage) => {
  test('the site bucket writes S3 server access logs to the log bucket', () => {
    const buckets = resourcesOfType(stage, 'App', 'AWS::S3::Bucket');
    const site = Object.entries(buckets).find(([id]) => id.startsWith('SiteBucket'))![1];
    expect(site.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^SiteAccessLogs/) }, LogFilePrefix: 'site-bucket/' });
  });
});

describe.each(UPLOAD_STAGES.map((s) => [s]))('stage %s uploads bucket', (stage) => {
  test('the uploads bucket writes S3 server access logs, is versioned, and expires noncurrent versions', () => {
    const uploads = Object.entries(resourcesOfType(stage, 'App', 'AWS::S3::Bucket')).find(([id]) => id.startsWith('MediaBucket'))![1];
    expect(uploads.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^MediaAccessLogs/) }, LogFilePrefix: 'uploads-bucket/' });
    expect(uploads.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(uploads.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) } })]),
    );
  });
});

describe.each(ALL_STAGES.map((s) => [s]))('stage %s KMS', (stage) => {
  test('one customer-managed KMS key with yearly rotation, retained, in the Network stack', () => {
    for (const stack of STACKS) expect({ stack, keys: Object.keys(resourcesOfType(stage, stack, 'AWS::KMS::Key')).length }).toEqual({ stack, keys: stack === 'Network' ? 1 : 0 });
    template(stage, 'Network').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test("the key policy lets CloudWatch Logs use it for this account's log groups, lets CloudWatch alarms publish to the encrypted topic, and refuses grants not made by AWS services for AWS resources", () => {
    const key = Object.values(resourcesOfType(stage, 'Network', 'AWS::KMS::Key'))[0];
    const statements: any[] = key.Properties.KeyPolicy.Statement;
    const logs = statements.find((st) => flatten(st.Principal?.Service).match(/^logs\..*\.amazonaws\.com$|^<token>$/) && st.Condition?.ArnLike);
    expect(logs).toMatchObject({ Effect: 'Allow', Action: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']) });
    expect(flatten(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/:log-group:\*$/);
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'kms:CreateGrant',
          Principal: { AWS: '*' },
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }),
      ]),
    );
  });

  test('every CloudWatch Logs log group of every stack is encrypted with that key', () => {
    const groups = allResources(stage).filter((r) => r.resource.Type === 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const { stack, id, resource } of groups) {
      expect({ stack, id, kmsKeyId: resource.Properties.KmsKeyId }).toEqual({ stack, id, kmsKeyId: keyReference(stage, stack) });
    }
  });

  test('the SNS alarm topic is encrypted with that key', () => {
    const topic = Object.values(resourcesOfType(stage, 'Monitoring', 'AWS::SNS::Topic'))[0];
    expect(topic.Properties.KmsMasterKeyId).toEqual(keyReference(stage, 'Monitoring'));
  });
});

describe.each(RDS_STAGES.map((s) => [s]))('stage %s RDS', (stage) => {
  const db = stageSpec(stage).database;
  if (db.kind !== 'rds') throw new Error(`stage ${stage} has no RDS`);
  const instances = () => Object.entries(resourcesOfType(stage, 'Data', 'AWS::RDS::DBInstance'));

  test('every database instance, primaries and read replicas, exports the PostgreSQL and upgrade logs to CloudWatch Logs', () => {
    expect(instances().length).toBe(db.primaries * (1 + db.readReplicas));
    for (const [id, instance] of instances()) {
      expect({ id, exports: instance.Properties.EnableCloudwatchLogsExports }).toEqual({ id, exports: ['postgresql', 'upgrade'] });
    }
  });

  test("every database instance has Enhanced Monitoring at the spec's interval through one role only RDS monitoring of this account may assume", () => {
    const roles = resourcesOfType(stage, 'Data', 'AWS::IAM::Role');
    for (const [id, instance] of instances()) {
      expect({ id, interval: instance.Properties.MonitoringInterval }).toEqual({ id, interval: db.enhancedMonitoringSeconds });
      const role = roles[named(instance.Properties.MonitoringRoleArn)!];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'monitoring.rds.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
      ]);
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AmazonRDSEnhancedMonitoringRole');
    }
    expect(new Set(instances().map(([, i]) => named(i.Properties.MonitoringRoleArn))).size).toBe(1);
  });

  test('Performance Insights is on for every database instance (RDS for PostgreSQL supports it on every instance class)', () => {
    for (const [id, instance] of instances()) expect({ id, pi: instance.Properties.EnablePerformanceInsights }).toEqual({ id, pi: true });
  });

  test("each primary's credentials rotate on the spec's schedule with Secrets Manager's single-user PostgreSQL function, in the isolated subnets, never at deploy time", () => {
    const schedules = Object.values(resourcesOfType(stage, 'Data', 'AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(db.primaries);
    const attachments = resourcesOfType(stage, 'Data', 'AWS::SecretsManager::SecretTargetAttachment');
    for (const schedule of schedules) {
      // On the secret as attached to its instance (host, port and dbname filled in).
      expect(Object.keys(attachments)).toContain(schedule.Properties.SecretId.Ref);
      expect(schedule.Properties).toMatchObject({
        RotationRules: { ScheduleExpression: `rate(${db.credentialRotationDays} days)` },
        RotateImmediatelyOnUpdate: false,
        HostedRotationLambda: { RotationType: 'PostgreSQLSingleUser' },
      });
      expect(flatten(schedule.Properties.HostedRotationLambda.VpcSubnetIds)).not.toBe('');
      expect(JSON.stringify(schedule.Properties.HostedRotationLambda.VpcSubnetIds)).toMatch(/DataSubnet1.*DataSubnet2/);
      expect(JSON.stringify(schedule.Properties.HostedRotationLambda.VpcSecurityGroupIds)).toMatch(/SecurityGroupsDatabaseRotation/);
    }
    const names = schedules.map((s) => s.Properties.HostedRotationLambda.RotationLambdaName);
    expect(new Set(names).size).toBe(names.length);
    expect([templateJson(stage, 'Data').Transform].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^AWS::SecretsManager-/)]));
  });

  test('the rotation function reaches PostgreSQL and Secrets Manager (an interface endpoint with private DNS in both isolated subnets) and nothing else; the endpoint admits only it and the API', () => {
    const network = templateJson(stage, 'Network').Resources as Record<string, any>;
    const groupId = (description: string) => Object.keys(network).find((id) => network[id].Properties?.GroupDescription === description)!;
    const [rotation, database, endpointGroup, api] = ['Graminsta database credential rotation', 'Graminsta PostgreSQL', 'Graminsta Secrets Manager endpoint', 'Graminsta API servers'].map(groupId);
    const ref = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
    const rules = (type: string, group: string) => Object.values(network).filter((r) => r.Type === type && JSON.stringify(r.Properties.GroupId) === JSON.stringify(ref(group))).map((r) => r.Properties);
    expect(rules('AWS::EC2::SecurityGroupEgress', rotation).map((r) => [r.FromPort, named(r.DestinationSecurityGroupId)]).sort()).toEqual([[443, endpointGroup], [5432, database]]);
    expect(network[rotation].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    expect(rules('AWS::EC2::SecurityGroupIngress', database).map((r) => named(r.SourceSecurityGroupId)).sort()).toEqual([api, rotation].sort());
    expect(rules('AWS::EC2::SecurityGroupIngress', endpointGroup).map((r) => [r.FromPort, named(r.SourceSecurityGroupId)]).sort()).toEqual([[443, api], [443, rotation]].sort());
    const endpoints = Object.values(network).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SecurityGroupIds: [ref(endpointGroup)] });
    expect(JSON.stringify(endpoints[0].Properties.ServiceName)).toMatch(/secretsmanager/);
    expect(JSON.stringify(endpoints[0].Properties.SubnetIds)).toMatch(/DataSubnet1.*DataSubnet2/);
  });

  test('the API role may read every version stage of each primary\'s secret (the API re-reads it after a refused password), with no VersionStage condition', () => {
    const policies = Object.values(resourcesOfType(stage, 'App', 'AWS::IAM::Policy')).filter((p) => /ApiServerRole|ApiFleetRole/.test(JSON.stringify(p.Properties.Roles)));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const secrets = Object.keys(resourcesOfType(stage, 'Data', 'AWS::SecretsManager::Secret')).filter((id) => /^(Shard\d+)?DatabaseSecret/.test(id));
    expect(secrets).toHaveLength(db.primaries);
    const reads = statements.filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && st.Condition === undefined);
    for (const secret of secrets) expect({ secret, readable: reads.some((st: any) => JSON.stringify(st.Resource).includes(`Ref${secret}`)) }).toEqual({ secret, readable: true });
  });
});

describe.each(FLEET_STAGES.map((s) => [s]))('stage %s load balancer', (stage) => {
  test('the load balancer has deletion protection', () => {
    template(stage, 'App').hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });
});

describe.each(ALL_STAGES.map((s) => [s]))('stage %s AWS WAF', (stage) => {
  const firewall = stageSpec(stage).edge.firewall;
  const distribution = () => Object.values(resourcesOfType(stage, 'App', 'AWS::CloudFront::Distribution'))[0];

  if (!firewall) {
    test('has no web ACL yet (from stage 100), and no us-east-1 stack', () => {
      expect(distribution().Properties.DistributionConfig.WebACLId).toBeUndefined();
      expect(Object.keys(synthStage(stage))).not.toContain('graminsta-Edge');
    });
    return;
  }

  test('a CLOUDFRONT web ACL in the us-east-1 Edge stack: a per-IP rate limit on POSTs to /api/users and /api/sessions, then the AWS known-bad-inputs (blocking) and common (as the spec says) rule groups', () => {
    const edge = synthStage(stage)['graminsta-Edge'];
    expect(edge).toBeDefined();
    const acls = Object.values(edge.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    const acl = acls[0].Properties;
    expect(acl).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const [rate, knownBad, common] = acl.Rules;
    expect(rate).toMatchObject({ Name: 'SignInRateLimit', Priority: 0, Action: { Block: {} } });
    expect(rate.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: firewall.signInRequestsPerFiveMinutes, EvaluationWindowSec: 300 });
    const scope = JSON.stringify(rate.Statement.RateBasedStatement.ScopeDownStatement);
    for (const part of ['"SearchString":"POST"', '"SearchString":"/api/users"', '"SearchString":"/api/sessions"', '"Type":"URL_DECODE"']) expect(scope).toContain(part);
    expect(knownBad).toMatchObject({ Priority: 1, OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } } });
    expect(common).toMatchObject({
      Priority: 2,
      OverrideAction: firewall.commonRuleSet === 'count' ? { Count: {} } : { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
    });
    for (const rule of acl.Rules) expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
  });

  test("the distribution names the web ACL by a cross-region Fn::GetStackOutput of the Edge stack (region us-east-1), fingerprinted so a replaced web ACL redeploys the App stack", () => {
    const edge = synthStage(stage)['graminsta-Edge'];
    expect(Object.keys(edge.Outputs)).toContain('WebAclArn');
    expect(JSON.stringify(edge.Outputs.WebAclArn.Value)).toMatch(/"Fn::GetAtt":\["FirewallWebAcl|"Fn::GetAtt":\["Firewall/);
    expect(distribution().Properties.DistributionConfig.WebACLId).toEqual({ 'Fn::GetStackOutput': { StackName: 'graminsta-Edge', OutputName: 'WebAclArn', Region: 'us-east-1' } });
    expect(Object.keys(distribution().Metadata['graminsta:references'])).toContain('graminsta-Edge/WebAclArn');
  });
});

describe('the Edge stack deploys anywhere without bootstrapping us-east-1', () => {
  test('stage 100 synthesizes offline with an environment-agnostic app: Edge is pinned to us-east-1 only, names no bootstrap role and no asset, has an inline template of a few KiB, and App depends on it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'graminsta-edge-'));
    try {
      buildStageApp({ stage: '100', outdir }).app.synth();
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      const edge = manifest.artifacts['graminsta-Edge'];
      expect(edge.environment).toBe('aws://unknown-account/us-east-1');
      expect(edge.properties).toEqual({ templateFile: 'graminsta-Edge.template.json', terminationProtection: false, validateOnSynth: false });
      expect(edge.dependencies ?? []).toEqual([]);
      expect(manifest.artifacts['graminsta-App'].environment).toBe('aws://unknown-account/unknown-region');
      expect(manifest.artifacts['graminsta-App'].dependencies).toContain('graminsta-Edge');
      // The CLI sends templates up to 50 KiB inline; above that it needs the bootstrap bucket.
      expect(readFileSync(join(outdir, 'graminsta-Edge.template.json')).length).toBeLessThan(20 * 1024);
      expect(manifest.missing).toBeUndefined();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('CDK helper functions', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/infrastructure.md'), 'utf8');
  const heading = "### CDK's helper functions";
  const section = doc.includes(heading) ? doc.slice(doc.indexOf(heading)).split('\n## ')[0] : '';

  test.each(ALL_STAGES.map((s) => [s]))(
    'stage %s: every Lambda function is the thumbnail function, whose failed events go to its failure queue, or a CDK helper that docs/infrastructure.md names with its dead-letter and concurrency decision',
    (stage) => {
      for (const { stack, id, resource } of allResources(stage).filter((r) => r.resource.Type === 'AWS::Lambda::Function')) {
        const path = constructPath(resource);
        if (path.startsWith('Media/Thumbnails/')) {
          const configs = Object.values(resourcesOfType(stage, stack, 'AWS::Lambda::EventInvokeConfig'));
          expect(configs.map((c) => JSON.stringify(c.Properties.DestinationConfig?.OnFailure?.Destination))).toEqual([expect.stringMatching(/FailureQueue/)]);
          continue;
        }
        // The helper's construct ID (CDK's singletons carry a fixed UUID in it).
        const helper = path.split('/')[0];
        expect({ stack, id, documented: section.includes(`\`${helper}\``) }).toEqual({ stack, id, documented: true });
      }
    },
  );
});
