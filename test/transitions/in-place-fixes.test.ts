/**
 * Fixes to resources that are already deployed must reach them as in-place
 * updates. Issue 13's review found, in stacks deployed from 1k up: read
 * replicas on gp2 without storage autoscaling, a load balancer security group
 * with no egress rule of its own (so EC2 gave it allow-all), a Cooldown on the
 * target-tracking policy (ignored by AWS) and no default instance warm-up, and
 * a thumbnail function reserving 10 concurrent executions. Each test rebuilds
 * that deployed state from today's templates and runs the stage review on a
 * same-stage code change (`npm run review -- --from-template <dir> --to <s>`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthStage } from '../../lib/synth';
import { stageRange, stageSpec, type StageName } from '../../stages/ladder';
import { reviewStageChange, type StageChangeReport } from '../../tools/review/stage-change';
import { toMarkdown } from '../../tools/review/report-markdown';
import type { StackTemplates } from '../../tools/review/template';

/** Today's templates of a stage as they were deployed before the fixes. */
function deployedBeforeFixes(stage: StageName): StackTemplates {
  const templates = structuredClone(synthStage(stage)) as Record<string, any>;
  for (const template of Object.values(templates)) {
    for (const resource of Object.values(template.Resources as Record<string, any>)) {
      const p = resource.Properties;
      if (resource.Type === 'AWS::RDS::DBInstance' && p.SourceDBInstanceIdentifier) {
        p.StorageType = 'gp2';
        delete p.MaxAllocatedStorage;
      }
      if (resource.Type === 'AWS::EC2::SecurityGroup' && p.GroupDescription === 'Graminsta Application Load Balancer') delete p.SecurityGroupEgress;
      if (resource.Type === 'AWS::AutoScaling::ScalingPolicy' && p.PolicyType === 'TargetTrackingScaling') p.Cooldown = '180';
      if (resource.Type === 'AWS::AutoScaling::AutoScalingGroup') delete p.DefaultInstanceWarmup;
      if (resource.Type === 'AWS::Lambda::Function' && /thumbnail/.test(p.Description ?? '')) p.ReservedConcurrentExecutions = 10;
    }
  }
  return templates;
}

async function reviewCodeChange(stage: StageName): Promise<StageChangeReport> {
  const dir = mkdtempSync(join(tmpdir(), 'review-in-place-'));
  try {
    for (const [stack, template] of Object.entries(deployedBeforeFixes(stage))) writeFileSync(join(dir, `${stack}.template.json`), JSON.stringify(template));
    return await reviewStageChange({ from: stage, to: stage, fromTemplate: dir, synth: (s) => synthStage(s) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The resources each fix touches at a stage, by type (logical IDs carry hashes). */
function expectedChanges(stage: StageName): string[] {
  const spec = stageSpec(stage);
  const changes = ['graminsta-Network AWS::EC2::SecurityGroup', 'graminsta-App AWS::AutoScaling::AutoScalingGroup', 'graminsta-App AWS::AutoScaling::ScalingPolicy'];
  if (spec.uploads?.thumbnails) changes.push('graminsta-App AWS::Lambda::Function');
  if (spec.database.kind === 'rds') for (let i = 0; i < spec.database.primaries * spec.database.readReplicas; i++) changes.push('graminsta-Data AWS::RDS::DBInstance');
  // 10m: the second region's stacks get the same treatment (its load balancer group, fleet, thumbnail function, and one replica per primary).
  if (spec.regions && spec.database.kind === 'rds') {
    const second = 'graminsta-eu-west-1';
    changes.push(`${second}-Network AWS::EC2::SecurityGroup`, `${second}-App AWS::AutoScaling::AutoScalingGroup`, `${second}-App AWS::AutoScaling::ScalingPolicy`);
    // Its own thumbnail function (the photos uploaded there once it is home).
    if (spec.uploads?.thumbnails) changes.push(`${second}-App AWS::Lambda::Function`);
    for (let i = 0; i < spec.database.primaries; i++) changes.push(`${second}-Data AWS::RDS::DBInstance`);
  }
  return changes.sort();
}

describe('a stack deployed before the issue-13 review fixes', () => {
  test.each(stageRange('1k'))(
    'at %s updates in place: replicas, load balancer group, scaling policy, group and thumbnail function are updated, nothing replaced, the review safe',
    async (stage) => {
      const report = await reviewCodeChange(stage);
      const changes = report.review.stacks.flatMap((s) => s.changes);
      expect(changes.map((c) => `${c.stack} ${c.type}`).sort()).toEqual(expectedChanges(stage));
      expect(changes.filter((c) => c.impact !== 'update')).toEqual([]);
      expect(report.problems).toEqual([]);
      expect(report.safe).toBe(true);
    },
    300_000,
  );

  test('the review shows the load balancer group\'s new egress rule in its security-group table and says the group is only updated', async () => {
    const markdown = toMarkdown(await reviewCodeChange('1k'));
    expect(markdown).toMatch(/Verdict: safe to deploy/);
    expect(markdown).toMatch(/\| SecurityGroupsLoadBalancer\w+ \| AWS::EC2::SecurityGroup \| update \| no \| SecurityGroupEgress changes from none of its own \(EC2's default allow-all\) to CDK's match-nothing rule/);
    expect(markdown).toMatch(/Security group changes:/);
    expect(markdown).toMatch(/\| \+ \| \$\{SecurityGroupsLoadBalancer\w+\.GroupId\} \| Out \| ICMP 252-86 \| 255\.255\.255\.255\/32 \|/);
  }, 300_000);
});
