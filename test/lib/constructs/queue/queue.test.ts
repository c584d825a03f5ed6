import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../../lib/constructs/media/private/local-node-function';
import { stage1m } from '../../../../stages/stage-1m';
import { QueueWorker } from '../../../../lib/constructs/queue/queue-worker';
import { WorkQueue } from '../../../../lib/constructs/queue/work-queue';
import { flaggedApp } from '../edge-test-app';

/** Queue in a Data stack, worker in an App stack, as the stacks wire them. */
function synth() {
  const app = flaggedApp();
  const network = new Stack(app, 'NetworkTest');
  const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const workerSg = new ec2.SecurityGroup(network, 'WorkerSg', { vpc });
  const data = new Stack(app, 'DataTest');
  const work = new WorkQueue(data, 'WorkQueue', { spec: stage1m.queue! });
  const authSecret = new secretsmanager.Secret(data, 'RedisAuth');
  const appStack = new Stack(app, 'AppTest');
  const worker = new QueueWorker(appStack, 'QueueWorker', {
    spec: stage1m.queue!,
    queue: work.queue,
    redis: { url: 'rediss://cache.example:6379', cluster: true, authSecret },
    vpc,
    securityGroup: workerSg,
    logRetentionDays: 30,
  });
  const apiRole = new iam.Role(appStack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  work.grantSend(apiRole);
  return { data: Template.fromStack(data), app: Template.fromStack(appStack), work, worker, dataStack: data, appStack, outdir: app.outdir };
}

describe('WorkQueue and QueueWorker at stage 1m', () => {
  const { data, app, work, dataStack, outdir } = synth();

  test('the queue redrives to the dead-letter queue after maxReceiveCount receives from the spec', () => {
    data.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 120,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  test('both queues are encrypted, TLS-only and retained', () => {
    const queues = Object.values(data.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const q of queues) {
      expect(q).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: expect.objectContaining({ SqsManagedSseEnabled: true }) });
    }
    const policies = Object.values(data.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]));
    }
  });

  test('queues keep frozen logical IDs', () => {
    expect([work.queue, work.deadLetterQueue].map((q) => dataStack.getLogicalId(q.node.defaultChild as CfnElement))).toEqual(['WorkQueueAD162499', 'WorkQueueDeadLetterQueueF71CA21F']);
  });

  test('the worker consumes with batch item failure reporting and a concurrency cap', () => {
    app.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  test('the worker is arm64 Node.js in the VPC, timeout a sixth of the visibility timeout, memory from the spec', () => {
    app.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Timeout: 20,
      MemorySize: 1024,
      VpcConfig: Match.objectLike({ SecurityGroupIds: [Match.anyValue()] }),
      Environment: { Variables: Match.objectLike({ REDIS_URL: 'rediss://cache.example:6379', REDIS_CLUSTER: 'true', REDIS_AUTH_SECRET_ARN: Match.anyValue() }) },
    });
    app.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
  });

  test('the worker role has no AWS managed policies', () => {
    for (const role of Object.values(app.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('queue') } }))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the API may only send to the queue', () => {
    const apiPolicy = Object.values(app.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ApiRole') }] } }))[0];
    expect(apiPolicy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] }),
    ]);
  });

  test('bundles the worker with local esbuild into one file that loads (ioredis included)', () => {
    const fn = Object.values(app.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    const bundle = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    // In a separate Node process, as Lambda would load it; only the AWS SDK (in the runtime) comes from node_modules.
    const run = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundle)}).handler)`], {
      env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toBe('function');
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/require\("ioredis"\)/);
  });
});

describe('WorkQueue spec validation', () => {
  test.each([
    [{ maxReceiveCount: 0 }, 'queue.maxReceiveCount must be 1-1000'],
    [{ visibilityTimeoutSeconds: 1 }, 'queue.visibilityTimeoutSeconds must be 6-43200'],
  ])('rejects %j', (change, message) => {
    expect(() => new WorkQueue(new Stack(flaggedApp(), 'S'), 'Q', { spec: { ...stage1m.queue!, ...change } })).toThrow(message);
  });
});
