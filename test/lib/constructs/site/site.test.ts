import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { instanceOrigin, loadBalancerOrigin } from '../../../../lib/constructs/site/api-origin';
import { Site, type SiteProps } from '../../../../lib/constructs/site/site';
import { HASHED_ASSET_CACHE_CONTROL, INDEX_CACHE_CONTROL } from '../../../../lib/constructs/site/web-client-deployment';
import { flaggedApp } from '../edge-test-app';

const prebuilt = mkdtempSync(join(tmpdir(), 'edge-web-'));
mkdirSync(join(prebuilt, 'assets'));
writeFileSync(join(prebuilt, 'index.html'), '<!doctype html><script type="module" src="/assets/main-TEST.js"></script>');
writeFileSync(join(prebuilt, 'assets', 'main-TEST.js'), 'console.log(1)');
afterAll(() => rmSync(prebuilt, { recursive: true, force: true }));

/** What CloudFront adds to the API origin's requests (in the stacks: the OriginVerifySecret's dynamic reference). */
const ORIGIN_HEADERS = { 'x-origin-verify': '{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:origin:SecretString:::}}' };
const SECURITY_HEADERS_POLICY = '67f7725c-6f97-4210-82d7-5512b31e9d03'; // Managed-SecurityHeadersPolicy (HSTS one year, nosniff, frame options)

function synth(extra: Partial<SiteProps> & { withUploads?: boolean } = {}) {
  const app = flaggedApp();
  const stack = new Stack(app, 'SiteTest');
  const uploadsBucket = extra.withUploads ? new s3.Bucket(stack, 'Uploads') : undefined;
  const site = new Site(stack, 'Site', {
    edge: { priceClass: 'PriceClass_100' },
    webClientBucket: { noncurrentVersionDays: 30 },
    apiOrigin: instanceOrigin('ec2-198-51-100-7.compute-1.amazonaws.com', { customHeaders: ORIGIN_HEADERS }),
    webClientDir: prebuilt,
    uploadsBucket,
    ...extra,
  });
  return { template: Template.fromStack(stack), site, stack };
}

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
}

describe('Site at stage 100', () => {
  const { template, site, stack } = synth();
  const config = distributionConfig(template);

  test('site bucket blocks all public access, is encrypted, versioned, logged and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site-bucket/' }),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every bucket denies non-TLS requests, and every bucket and log group is retained', () => {
    for (const policy of Object.values(template.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
    for (const type of ['AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
      }
    }
  });

  test('CloudFront reads the site bucket through origin access control, not a public bucket or OAI', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const s3Origin = config.Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' }, Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } } }),
        ]),
      },
    });
  });

  test('the default behaviour redirects to HTTPS and rewrites client-side routes with a viewer-request function', () => {
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [expect.objectContaining({ EventType: 'viewer-request' })],
    });
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
  });

  test('has no distribution-wide custom error responses (they would rewrite the API 404s)', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  test('/api/* goes to the API over HTTP, uncached, all methods, forwarding Authorization and query strings', () => {
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    expect(api.FunctionAssociations).toBeUndefined();
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin).toMatchObject({ DomainName: 'ec2-198-51-100-7.compute-1.amazonaws.com', CustomOriginConfig: { OriginProtocolPolicy: 'http-only', HTTPPort: 80 } });
    expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: ORIGIN_HEADERS['x-origin-verify'] }]);
  });

  test('every behaviour adds the security headers (HSTS for a year, nosniff, frame options) to its responses', () => {
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behavior.ResponseHeadersPolicyId).toBe(SECURITY_HEADERS_POLICY);
  });

  test('has no /media/* behaviour without an uploads bucket', () => {
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/api/*']);
  });

  test('logs to the access-log bucket, uses the spec price class and HTTP/2+3', () => {
    expect(config).toMatchObject({ Logging: { Prefix: 'cloudfront/' }, PriceClass: 'PriceClass_100', HttpVersion: 'http2and3', DefaultRootObject: 'index.html' });
  });

  test('deploys hashed assets as immutable for a year, then index.html as no-cache with an /index.html invalidation', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const assets = deployments.find((d) => JSON.stringify(d.Properties.Include) === '["assets/*"]');
    const index = deployments.find((d) => JSON.stringify(d.Properties.Exclude) === '["assets/*"]');
    expect(assets!.Properties).toMatchObject({ Exclude: ['*'], SystemMetadata: { 'cache-control': HASHED_ASSET_CACHE_CONTROL }, Prune: false });
    expect(index!.Properties).toMatchObject({ SystemMetadata: { 'cache-control': INDEX_CACHE_CONTROL }, DistributionPaths: ['/index.html'], Prune: false });
    expect(assets!.Properties.DistributionId).toBeUndefined();
    expect(index!.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SiteWebClientHashedAssets/)]));
  });

  test('bucket, access-log bucket and distribution keep frozen logical IDs', () => {
    const ids = [site.bucket!, site.accessLogsBucket, site.distribution].map((c) => stack.getLogicalId(c.node.defaultChild as CfnElement));
    expect(ids).toEqual(['SiteBucket978D4AEB', 'SiteAccessLogs536C0B75', 'SiteDistribution390DED28']);
  });
});

describe('Site at stages 1 and 10: the API serves the web client through the same distribution', () => {
  const { template, site, stack } = synth({ webClientBucket: undefined });
  const config = distributionConfig(template);

  test('the default behaviour goes to the API origin over HTTPS only, GET/HEAD, cached as the API says', () => {
    const origin = config.Origins.find((o: { Id: string }) => o.Id === config.DefaultCacheBehavior.TargetOriginId);
    expect(origin).toMatchObject({ DomainName: 'ec2-198-51-100-7.compute-1.amazonaws.com', CustomOriginConfig: { OriginProtocolPolicy: 'http-only' } });
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: '83da9c7e-98b4-4e11-a168-04f0df8e2c65', // Managed-UseOriginCacheControlHeaders
      ResponseHeadersPolicyId: SECURITY_HEADERS_POLICY,
    });
    expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    expect(config.DefaultRootObject).toBe('index.html');
  });

  test('/api/* and the web client share one origin (one instance), which carries the origin secret header', () => {
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: ORIGIN_HEADERS['x-origin-verify'] }]);
  });

  test('no site bucket, SPA function or deployment yet; the access-log bucket and the distribution keep the stage-100 logical IDs', () => {
    expect(site.bucket).toBeUndefined();
    expect(site.deployment).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::CloudFront::Function', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    const ids = [site.accessLogsBucket, site.distribution].map((c) => stack.getLogicalId(c.node.defaultChild as CfnElement));
    expect(ids).toEqual(['SiteAccessLogs536C0B75', 'SiteDistribution390DED28']);
  });
});

describe('Site from stage 1k: the internal load balancer as a VPC origin', () => {
  const app = flaggedApp();
  const stack = new Stack(app, 'SiteVpcOriginTest');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
  new Site(stack, 'Site', {
    edge: { priceClass: 'PriceClass_100' },
    webClientBucket: { noncurrentVersionDays: 30 },
    apiOrigin: loadBalancerOrigin(alb, { customHeaders: ORIGIN_HEADERS }),
    webClientDir: prebuilt,
  });
  const template = Template.fromStack(stack);
  const config = distributionConfig(template);

  test('CloudFront reaches the load balancer through a VPC origin (no public address), HTTP inside the VPC, with the origin secret', () => {
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({ Arn: stack.resolve(alb.loadBalancerArn), HTTPPort: 80, OriginProtocolPolicy: 'http-only' }),
    });
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin.VpcOriginConfig.VpcOriginId).toBeDefined();
    expect(origin.CustomOriginConfig).toBeUndefined();
    expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: ORIGIN_HEADERS['x-origin-verify'] }]);
  });
});

describe('Site at stage 10k (uploads through the CDN)', () => {
  const { template } = synth({ withUploads: true });
  const config = distributionConfig(template);

  test('/media/* reads the uploads bucket through its own origin access control, GET/HEAD only, cached', () => {
    const media = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/media/*');
    expect(media).toMatchObject({ AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' });
    const origin = config.Origins.find((o: { Id: string }) => o.Id === media.TargetOriginId);
    expect(origin.OriginAccessControlId).toBeDefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Uploads') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' } })]) },
    });
  });
});

describe('Site with a custom domain', () => {
  test('adds the alias and the certificate with TLS 1.2 or newer', () => {
    const { template } = synth({ domainName: 'photos.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' });
    expect(distributionConfig(template)).toMatchObject({
      Aliases: ['photos.example.com'],
      ViewerCertificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
  });

  test('refuses a domain without a certificate, naming both', () => {
    expect(() => synth({ domainName: 'photos.example.com' })).toThrow('domainName and certificateArn go together');
  });
});

describe('Site building the real web client', () => {
  test('bundles web/ locally at synth (no Docker) into index.html plus hashed assets/', () => {
    const app = flaggedApp();
    const stack = new Stack(app, 'SiteBuildTest');
    const site = new Site(stack, 'Site', {
      edge: { priceClass: 'PriceClass_100' },
      webClientBucket: { noncurrentVersionDays: 30 },
      apiOrigin: instanceOrigin('api.example.com', { customHeaders: ORIGIN_HEADERS }),
    });
    app.synth();
    const dir = join(app.outdir, site.deployment!.asset.assetPath);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['index.html', 'assets']));
    const scripts = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((f) => /-[A-Z0-9]{8,}\.js$/.test(f))).toBe(true);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(`/assets/${scripts[0]}`);
  });
});
