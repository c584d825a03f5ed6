import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthStage } from '../../../lib/synth';

/**
 * The single instance holds state (the data volume; at stage 1 PostgreSQL), so a
 * new API bundle must update it in place. These tests synthesize a stage with
 * two different bundles and diff the App templates as `cdk diff` would.
 */

let dirs: string[] = [];
function bundle(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-bundle-test-'));
  writeFileSync(join(dir, 'server.js'), code);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function appTemplates(stage: string) {
  const before = synthStage(stage, { apiBundleDir: bundle('console.log("bundle A");\n') })['graminsta-App'];
  const after = synthStage(stage, { apiBundleDir: bundle('console.log("bundle B");\n') })['graminsta-App'];
  return { before, after };
}

function byType(template: Record<string, any>, type: string): [string, any][] {
  return Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

describe.each([['1'], ['10']])('stage %s: a new API bundle updates the running instance in place', (stage) => {
  const { before, after } = appTemplates(stage);

  test('the two bundles really differ (only the asset in the instance metadata changes)', () => {
    expect(JSON.stringify(before)).not.toEqual(JSON.stringify(after));
  });

  test('the instance and its data volume keep their logical IDs; user data, AMI, type and volume attachment are identical', () => {
    const [[idA, a]] = byType(before, 'AWS::EC2::Instance');
    const [[idB, b]] = byType(after, 'AWS::EC2::Instance');
    expect(idB).toBe(idA);
    expect(byType(after, 'AWS::EC2::Volume').map(([id]) => id)).toEqual(byType(before, 'AWS::EC2::Volume').map(([id]) => id));
    for (const prop of ['UserData', 'ImageId', 'InstanceType', 'Volumes', 'LaunchTemplate', 'NetworkInterfaces', 'BlockDeviceMappings']) {
      expect({ prop, value: b.Properties[prop] }).toEqual({ prop, value: a.Properties[prop] });
    }
    expect(b.Metadata['AWS::CloudFormation::Init']).not.toEqual(a.Metadata['AWS::CloudFormation::Init']);
  });

  test('cloudformation-diff shows no replacement, destruction or orphaning: the instance is only updated', () => {
    const diff = fullDiff(before, after);
    const impacts: Record<string, ResourceImpact> = {};
    diff.resources.forEachDifference((logicalId, change) => {
      impacts[logicalId] = change.changeImpact;
    });
    const [[instanceId]] = byType(before, 'AWS::EC2::Instance');
    expect(impacts[instanceId]).toBe(ResourceImpact.WILL_UPDATE);
    const harmful = Object.entries(impacts).filter(([, i]) => i !== ResourceImpact.WILL_UPDATE && i !== ResourceImpact.NO_CHANGE);
    expect(harmful).toEqual([]);
  });

  test('cfn-hup re-runs cfn-init when the instance metadata changes', () => {
    const [[instanceId, instance]] = byType(after, 'AWS::EC2::Instance');
    const hook = instance.Metadata['AWS::CloudFormation::Init'].hup.files['/etc/cfn/hooks.d/graminsta-reloader.conf'].content;
    const text = JSON.stringify(hook);
    expect(text).toContain(`path=Resources.${instanceId}.Metadata.AWS::CloudFormation::Init`);
    expect(text).toContain('triggers=post.update');
    expect(text).toContain(`--resource ${instanceId} --configsets graminsta`);
  });
});

describe('stage 1k: a new API bundle rolls through the fleet', () => {
  const { before, after } = appTemplates('1k');

  test('the launch template user data changes (its fingerprint), the Auto Scaling group is updated, not replaced', () => {
    const [[, ltA]] = byType(before, 'AWS::EC2::LaunchTemplate');
    const [[, ltB]] = byType(after, 'AWS::EC2::LaunchTemplate');
    expect(ltB.Properties.LaunchTemplateData.UserData).not.toEqual(ltA.Properties.LaunchTemplateData.UserData);
    const diff = fullDiff(before, after);
    const [[asgId, asg]] = byType(after, 'AWS::AutoScaling::AutoScalingGroup');
    const asgChange = diff.resources.get(asgId);
    expect(asgChange?.changeImpact).toBe(ResourceImpact.WILL_UPDATE);
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toBeDefined();
  });
});
