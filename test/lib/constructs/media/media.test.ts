import { type CfnElement, Stack } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { UploadsSpec } from '../../../../stages/stage-spec';
import { stage10k } from '../../../../stages/stage-10k';
import { stage1k } from '../../../../stages/stage-1k';
import { Media, corsOrigins } from '../../../../lib/constructs/media/media';
import { PROJECT_ROOT } from '../../../../lib/constructs/common/local-node-function';
import { flaggedApp } from '../edge-test-app';

function synth(uploads: UploadsSpec, extra: { domainName?: string } = {}): { template: Template; media: Media; stack: Stack; outdir: string } {
  const app = flaggedApp();
  const stack = new Stack(app, 'MediaTest');
  const media = new Media(stack, 'Media', { spec: uploads, ...extra });
  const role = new iam.Role(stack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  media.grantApiAccess(role);
  return { template: Template.fromStack(stack), media, stack, outdir: app.outdir };
}

describe('Media at stage 1k (uploads bucket only)', () => {
  const { template, stack, media } = synth(stage1k.uploads!);

  test('uploads bucket blocks all public access, is encrypted, versioned and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'uploads-bucket/' }),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('noncurrent versions expire after 30 days and incomplete multipart uploads after 7', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' })],
      },
    });
  });

  test('every bucket policy denies requests without TLS', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies).length).toBe(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('has no CORS and no thumbnail function before presigned uploads and thumbnails are in the spec', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets.every((b) => b.Properties.CorsConfiguration === undefined)).toBe(true);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(media.thumbnails).toBeUndefined();
  });

  test('bucket and access-log bucket keep frozen logical IDs', () => {
    // A change here replaces the bucket on deploy: every photo would be stranded in the old one.
    expect(stack.getLogicalId(media.bucket.node.defaultChild as CfnElement)).toBe('MediaBucket4022EBBF');
    expect(stack.getLogicalId(media.accessLogsBucket.node.defaultChild as CfnElement)).toBe('MediaAccessLogsD396FE12');
  });

  test('grants the API role get/put/delete under media/ only, and list on the bucket', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [expect.anything(), '/media/*']] } }),
        expect.objectContaining({ Action: 's3:ListBucket' }),
      ]),
    );
    expect(JSON.stringify(statements)).not.toContain('"s3:*"');
  });
});

describe('Media at stage 10k (presigned uploads + thumbnails)', () => {
  const { template, outdir } = synth(stage10k.uploads!);

  test('CORS allows browser POSTs from CloudFront default domains when no custom domain is given', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['POST'], AllowedOrigins: ['https://*.cloudfront.net'] })] },
    });
  });

  // Was pinned to a reserved concurrency of 10, which a new account (quota 10, of which Lambda keeps a minimum unreserved) refuses to deploy.
  test('the thumbnail function is arm64 Node.js with the spec memory and reserves no concurrency unless the spec asks', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs'),
      MemorySize: 1024,
      ReservedConcurrentExecutions: Match.absent(),
      Environment: { Variables: { THUMBNAIL_MAX_WIDTH_PX: '640', MAX_SOURCE_BYTES: String(10 * 1024 * 1024) } },
    });
  });

  test('the thumbnail function reserves the concurrency the stage spec names', () => {
    const thumbnails = { ...stage10k.uploads!.thumbnails!, reservedConcurrency: 25 };
    synth({ ...stage10k.uploads!, thumbnails }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ THUMBNAIL_MAX_WIDTH_PX: '640' }) },
      ReservedConcurrentExecutions: 25,
    });
  });

  test.each([0, -1, 2.5])('refuses a reserved concurrency of %p (0 would stop every thumbnail)', (reservedConcurrency) => {
    const thumbnails = { ...stage10k.uploads!.thumbnails!, reservedConcurrency };
    expect(() => synth({ ...stage10k.uploads!, thumbnails })).toThrow(/reservedConcurrency/);
  });

  test('S3 notifies the function only for objects created under media/originals/', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'media/originals/' }] } } }),
        ],
      },
    });
  });

  test('the function may only read originals and write thumbnails (least privilege)', () => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ThumbnailsFunctionRole') }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const s3Statements = statements.filter((s) => String(s.Action).startsWith('s3:'));
    expect(s3Statements).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [expect.anything(), '/media/originals/*']] } }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [expect.anything(), '/media/thumbnails/*']] } }),
    ]);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('thumbnail') } });
    expect(Object.values(roles).every((r) => r.Properties.ManagedPolicyArns === undefined)).toBe(true);
  });

  test('failed events go to an encrypted, TLS-only, retained failure queue after 2 retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResource('AWS::SQS::Queue', { Properties: Match.objectLike({ SqsManagedSseEnabled: true }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the function is bundled by local esbuild into one file that loads (jimp included, no Docker)', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.THUMBNAIL_MAX_WIDTH_PX);
    const hash = String(fn!.Properties.Code.S3Key).replace(/\.zip$/, '');
    const bundle = join(outdir, `asset.${hash}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    // In a separate Node process, as Lambda would load it; the AWS SDK (provided by
    // the Lambda runtime, so not bundled) comes from this repository's node_modules.
    const run = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundle)}).handler)`], {
      env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules'), THUMBNAIL_MAX_WIDTH_PX: '640', MAX_SOURCE_BYTES: '1000' },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toBe('function');
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/require\("jimp"\)/);
  });

  test('the function log group has a retention and is retained', () => {
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('Media with a custom domain', () => {
  test('CORS allows only the custom domain', () => {
    // Presigned uploads without thumbnails: no Lambda to bundle in this test.
    const { template } = synth({ ...stage10k.uploads!, thumbnails: undefined }, { domainName: 'photos.example.com' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://photos.example.com'] })] },
    });
    expect(corsOrigins('a.example')).toEqual(['https://a.example']);
  });
});
