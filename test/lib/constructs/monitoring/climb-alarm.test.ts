import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { climbAdvice, climbAlarm } from '../../../../lib/constructs/monitoring/climb-alarm';
import { StageMonitoring } from '../../../../lib/constructs/monitoring/stage-monitoring';
import { climbCondition } from '../../../../stages/climb-signals';
import { LADDER, stageSpec } from '../../../../stages/ladder';
import type { StageSpec } from '../../../../stages/stage-spec';

describe('when-to-climb alarm', () => {
  test.each(LADDER.slice(0, -1).map((spec, i) => [spec.name, spec, LADDER[i + 1].name]))('stage %s names the next stage on the ladder, %s', (_name, spec, next) => {
    expect(climbAdvice(spec)).toMatch(new RegExp(`^(Climb to stage ${next}: |The next stage, ${next}, keeps this limit(: | and no stage above lifts it: ))`));
  });

  test('stages 1 and 10 keep their data volume one step up: the advice goes on to 1k, crossing every runbook on the way', () => {
    expect(climbAdvice(stageSpec('1'))).toBe('The next stage, 10, keeps this limit: climb to stage 1k: follow docs/runbooks/1-to-10.md, then docs/runbooks/100-to-1k.md');
    expect(climbAdvice(stageSpec('100'))).toBe('Climb to stage 1k: follow docs/runbooks/100-to-1k.md');
    expect(climbAdvice(stageSpec('1k'))).toBe('Climb to stage 10k: npm run review -- --from 1k --to 10k, then npx cdk deploy --all -c stage=10k (no runbook: docs/runbooks/README.md)');
  });

  test('1m: the next stage (10m, a second region) keeps the primaries\' memory limit, so the advice is to add a primary', () => {
    expect(climbAdvice(stageSpec('1m'))).toBe('The next stage, 10m, keeps this limit and no stage above lifts it: grow within stage 1m, add a primary (docs/runbooks/add-a-primary.md)');
  });

  test('the top of the ladder says what to do instead of climbing', () => {
    expect(climbAdvice(LADDER[LADDER.length - 1])).toBe('Stage 10m is the top of the ladder: grow within it, add a primary (docs/runbooks/add-a-primary.md)');
  });

  test('a climb signal that does not fit the stage is refused with the field named', () => {
    const wrong: StageSpec = { ...stageSpec('1'), monitoring: { ...stageSpec('1').monitoring, climb: { kind: 'fleet-at-maximum' } } };
    expect(() => climbCondition(wrong)).toThrow('stage 1: monitoring.climb fleet-at-maximum needs a fleet');
  });

  // No stage of the ladder climbs on its fleet today (the database runs out first: npm run plan): stage 1k as if it did.
  const fleetClimb: StageSpec = { ...stageSpec('1k'), monitoring: { ...stageSpec('1k').monitoring, climb: { kind: 'fleet-at-maximum' } } };

  test('the alarm needs what its signal watches', () => {
    expect(() => climbAlarm({ spec: fleetClimb })).toThrow("stage 1k: the when-to-climb alarm needs the fleet's Auto Scaling group");
    expect(() => climbAlarm({ spec: stageSpec('10k'), autoScalingGroupName: 'asg' })).toThrow('stage 10k: the when-to-climb alarm needs the RDS primaries');
  });

  test('sustained for an hour of 5-minute points, missing data not breaching, the description the plan shares', () => {
    const stack = new Stack(new App(), 'Test');
    const monitoring = new StageMonitoring(stack, 'Alarms', { topic: new sns.Topic(stack, 'Topic'), title: 't' });
    const a = climbAlarm({ spec: fleetClimb, autoScalingGroupName: 'asg' });
    monitoring.addService('Climb', a.alarms, a.graphs);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: `When to climb. Stage 1k: ${climbCondition(fleetClimb).text}. ${climbAdvice(fleetClimb)}.`,
      EvaluationPeriods: 12,
      Threshold: 160,
      TreatMissingData: 'notBreaching',
    });
  });
});
