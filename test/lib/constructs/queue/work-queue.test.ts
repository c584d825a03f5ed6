import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { stage1m } from '../../../../stages/stage-1m';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../../../contracts/work-queue';
import { queueVisibilityTimeoutSeconds } from '../../../../stages/stage-spec';
import { WorkQueue } from '../../../../lib/constructs/queue/work-queue';
import { flaggedApp } from '../edge-test-app';

/** The queue in a Data stack; the fleet's role (sender and consumer) in an App stack, as the stacks wire them. */
function synth(spec = stage1m.queue!) {
  const app = flaggedApp();
  const data = new Stack(app, 'DataTest');
  const work = new WorkQueue(data, 'WorkQueue', { spec });
  const appStack = new Stack(app, 'AppTest');
  const fleetRole = new iam.Role(appStack, 'FleetRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  work.grantSend(fleetRole);
  work.grantConsume(fleetRole);
  const senderRole = new iam.Role(appStack, 'SenderRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  work.grantSend(senderRole);
  return { data: Template.fromStack(data), app: Template.fromStack(appStack), work, dataStack: data };
}

const actionsOf = (app: Template, role: string) =>
  Object.values(app.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0].Properties.PolicyDocument.Statement.flatMap(
    (s: any) => s.Action,
  );

describe('WorkQueue at stage 1m', () => {
  const { data, app, work, dataStack } = synth();

  test('the visibility timeout is the job timeout from the spec times the stated factor (6)', () => {
    expect(VISIBILITY_TIMEOUT_FACTOR).toBe(6);
    expect(queueVisibilityTimeoutSeconds(stage1m.queue!)).toBe(stage1m.queue!.jobTimeoutSeconds * 6);
    data.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: stage1m.queue!.jobTimeoutSeconds * 6 });
    const longer = synth({ ...stage1m.queue!, jobTimeoutSeconds: 45 });
    longer.data.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 270 });
  });

  test('the queue redrives to the dead-letter queue after maxReceiveCount receives from the spec', () => {
    data.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: stage1m.queue!.maxReceiveCount },
    });
    synth({ ...stage1m.queue!, maxReceiveCount: 9 }).data.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 9 }) });
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

  test('the fleet (API and worker) may send, receive, delete and extend visibility, and nothing else', () => {
    expect(new Set(actionsOf(app, 'FleetRole'))).toEqual(
      new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
    );
  });

  test('a sender may only send', () => {
    expect(new Set(actionsOf(app, 'SenderRole'))).toEqual(new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']));
  });
});

describe('WorkQueue spec validation', () => {
  test.each([
    [{ maxReceiveCount: 0 }, 'queue.maxReceiveCount must be 1-1000'],
    [{ jobTimeoutSeconds: 0 }, 'queue.jobTimeoutSeconds must be 1-7200'],
    [{ jobTimeoutSeconds: 7201 }, 'queue.jobTimeoutSeconds must be 1-7200'],
    [{ jobTimeoutSeconds: 2.5 }, 'queue.jobTimeoutSeconds must be 1-7200'],
  ])('rejects %j', (change, message) => {
    expect(() => new WorkQueue(new Stack(flaggedApp(), 'S'), 'Q', { spec: { ...stage1m.queue!, ...change } })).toThrow(message);
  });
});
