import { EXAMPLE_REGION_OPTIONS } from '../../lib/app-options';
import { buildStageApp } from '../../lib/build-app';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStatefulType } from '../../lib/resource-spec';
import { STAGE_NAMES } from '../../stages/ladder';

describe('buildStageApp', () => {
  test('appName prefixes the stack names', () => {
    expect(buildStageApp({ stage: '1', appName: 'photos' }).stacks.map((s) => s.stackName)).toEqual([
      'photos-Network',
      'photos-Data',
      'photos-App',
      'photos-Monitoring',
    ]);
  });

  test.each([
    [{ stage: 'huge' }, /^unknown stage "huge": pass -c stage=<1\|10\|100\|1k\|10k\|100k\|1m\|10m>$/],
    [{ stage: '1', appName: '9lives' }, /^invalid appName "9lives"/],
    [{ stage: '1', appName: 'has space' }, /^invalid appName/],
    [{ stage: '1', alarmEmail: 'ops' }, /^invalid alarmEmail "ops"/],
    [{ stage: '100', domainName: 'photos.example.com' }, /^domainName and certificateArn go together/],
    [
      { stage: '100', domainName: 'photos.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      /CloudFront needs an ACM certificate ARN in us-east-1/,
    ],
  ])('rejects %p with a one-line error', (props, message) => {
    expect(() => buildStageApp(props)).toThrow(message);
  });

  test('stacks are environment-agnostic unless an environment is given', () => {
    for (const s of buildStageApp({ stage: '1' }).stacks) expect(s.environment).toBe('aws://unknown-account/unknown-region');
    const pinned = buildStageApp({ stage: '1', env: { account: '123456789012', region: 'eu-west-1' } });
    for (const s of pinned.stacks) expect(s.environment).toBe('aws://123456789012/eu-west-1');
  });

  test('an alarm e-mail subscribes to the alarm topic', () => {
    const { stacks } = buildStageApp({ stage: '1', alarmEmail: 'ops@example.com' });
    const subscriptions = stacks[3].node.findAll().filter((c): c is sns.CfnSubscription => c instanceof sns.CfnSubscription);
    expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([['email', 'ops@example.com']]);
    expect(buildStageApp({ stage: '1' }).stacks[3].node.findAll().filter((c) => c instanceof sns.CfnSubscription)).toEqual([]);
  });
});

/**
 * Termination protection as `cdk deploy` applies it: from the stack artifact in
 * the cloud assembly's manifest (the CLI reads it there and sets it on the
 * stack), for every stack of every stage. A stack that holds a resource of a
 * stateful type must have it; one that holds none (Edge: a web ACL) need not.
 */
describe('termination protection', () => {
  test.each(STAGE_NAMES)('stage %s: every stack holding a stateful resource is protected in the cloud assembly', (stage) => {
    const outdir = mkdtempSync(join(tmpdir(), 'graminsta-protection-'));
    try {
      const { app, stacks } = buildStageApp({ stage, outdir, ...(stage === '10m' ? EXAMPLE_REGION_OPTIONS : {}) });
      const assembly = app.synth();
      const found = stacks.map((stack) => {
        const artifact = assembly.getStackByName(stack.stackName);
        const holdsState = Object.values<{ Type: string }>(artifact.template.Resources).some((resource) => isStatefulType(resource.Type));
        return { stack: stack.stackName, holdsState, protected: artifact.terminationProtection === true };
      });
      expect(found.filter((entry) => entry.holdsState && !entry.protected)).toEqual([]);
      // Network, Data, App and Monitoring all hold state at every stage (at least their deploy guard's log group);
      // at 10m the second region's four too (replicas, cache, queue, buckets, keys; its Monitoring's guard log group).
      const second = stage === '10m' ? ['Network', 'Data', 'App', 'Monitoring'].map((kind) => `graminsta-eu-west-1-${kind}`) : [];
      expect(found.filter((entry) => entry.protected).map((entry) => entry.stack).sort()).toEqual(['graminsta-Network', 'graminsta-Data', 'graminsta-App', 'graminsta-Monitoring', ...second].sort());
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
