import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { STAGE_NAMES, stageSpec } from '../../../stages/ladder';
import { ACKNOWLEDGEMENTS } from '../../../lib/compliance';
import { checkStageCompliance, type StageCompliance } from '../../../tools/compliance/stage-compliance';
import { checkNag } from '../../../tools/compliance/nag-check';
import { checkImdsv2 } from '../../../tools/compliance/imdsv2';
import { runControlTowerRules } from '../../../tools/compliance/control-tower';
import { GUARD_EXCEPTIONS, ruleFileOf } from '../../../tools/compliance/guard-exceptions';

// The Control Tower rules take tens of seconds per stage; stages 1, 1m and 10m hold every resource type between them.
const GUARD_STAGES = new Set(['1', '1m', '10m']);
const results = new Map<string, StageCompliance>();

beforeAll(() => {
  for (const stage of STAGE_NAMES) results.set(stage, checkStageCompliance(stage, { guard: GUARD_STAGES.has(stage) }));
}, 900_000);

describe.each(STAGE_NAMES.map((s) => [s]))('stage %s', (stage) => {
  test('cdk-nag AwsSolutions has zero unacknowledged findings', () => {
    expect(results.get(stage)!.nag.unacknowledged).toEqual([]);
  });
  test('every acknowledgement for the stage is attached to an existing construct and needed by a finding', () => {
    expect(results.get(stage)!.nag.missing).toEqual([]);
    expect(results.get(stage)!.nag.unused).toEqual([]);
  });
  test('IMDSv2 is required on every instance and launch template', () => {
    expect(results.get(stage)!.imdsv2).toEqual([]);
  });
  if (GUARD_STAGES.has(stage)) {
    test('the AWS Control Tower cfn-guard rules pass (offline, bundled binary) apart from the listed exceptions', () => {
      expect(results.get(stage)!.guard).toEqual([]);
    });
  }
});

describe('acknowledgements', () => {
  test.each(ACKNOWLEDGEMENTS.map((a) => [`${a.rule} at ${a.stack}/${a.path}`, a]))('%s names its rule and stages and gives a real reason', (_name, ack) => {
    expect(ack.rule).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
    expect(ack.stages.length).toBeGreaterThan(0);
    expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    expect(ack.reason).toMatch(/^[A-Z].*[a-z)].*\.$/);
  });

  test('no acknowledgement is listed twice', () => {
    const keys = ACKNOWLEDGEMENTS.map((a) => `${a.stack}/${a.path}/${a.rule}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('an acknowledgement is attached at the construct cdk-nag reports, on its stages only', () => {
    const { app } = require('../../../lib/build-app').buildStageApp({ stage: '1' }) as { app: App };
    const instance = app.node.findAll().find((c) => c.node.path === 'graminsta-App/ApiServer/Resource/Resource')!;
    const acknowledged = instance.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data as object));
    expect(acknowledged.map((id) => id.replace(/^annotation::/i, ''))).toEqual(expect.arrayContaining(['AwsSolutions-EC28', 'AwsSolutions-EC29']));
    const network = app.node.findAll().find((c) => c.node.path === 'graminsta-Network')!;
    expect(network.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')).toEqual([]);
  }, 120_000);
});

describe('the checks bite', () => {
  test('cdk-nag reports an SSH port open to the world that nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'graminsta-Network');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const group = new ec2.SecurityGroup(stack, 'Ssh', { vpc });
    group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    app.synth();
    expect(checkNag(app, stageSpec('1')).unacknowledged).toEqual(expect.arrayContaining([{ rule: 'AwsSolutions-EC23', path: 'graminsta-Network/Ssh/Resource' }]));
  });

  test('the IMDSv2 check reports a launch template and an instance without required tokens', () => {
    const findings = checkImdsv2({
      s: {
        Resources: {
          Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'optional' } } } },
          I: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1' } },
        },
      },
    });
    expect(findings.map((f) => f.logicalId)).toEqual(['Lt', 'I']);
  });

  test('the Control Tower rules run offline and report a bucket without versioning and logging', () => {
    const violations = runControlTowerRules('1', { s: { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } } } });
    expect(violations.map((v) => v.control)).toEqual(expect.arrayContaining(['CT.S3.PR.1']));
  });
});

describe('cfn-guard exceptions', () => {
  const rules = join(__dirname, '../../../node_modules/@cdklabs/cdk-validator-cfnguard/rules/control-tower/cfn-guard');
  const bundled = readdirSync(rules, { recursive: true }).map(String);
  test.each(GUARD_EXCEPTIONS.map((e) => [e.control, e]))('%s exists as a bundled rule and has a real reason', (_control, exception) => {
    expect(bundled.some((file) => file.endsWith(`/${ruleFileOf(exception.control)}.guard`))).toBe(true);
    expect(exception.reason.length).toBeGreaterThanOrEqual(60);
  });
});
