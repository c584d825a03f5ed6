import { buildStageApp, EXAMPLE_REGION_OPTIONS } from '../../lib';
import { stageSpec, type StageName } from '../../stages/ladder';
import type { StackTemplates } from '../review/template';
import { checkNag, type NagCheck } from './nag-check';
import { runControlTowerRules, type GuardViolation } from './control-tower';
import { checkImdsv2, type ImdsFinding } from './imdsv2';

export interface StageCompliance {
  readonly stage: StageName;
  readonly nag: NagCheck;
  readonly guard: readonly GuardViolation[];
  readonly imdsv2: readonly ImdsFinding[];
  readonly ok: boolean;
}

export interface StageComplianceOptions {
  /** Also run the Control Tower cfn-guard rules (the slow part: tens of seconds per stage). @default true */
  readonly guard?: boolean;
}

/**
 * Builds and synthesizes a stage with cdk-nag left out of synthesis (so
 * findings are listed rather than thrown), then runs every compliance check.
 */
export function checkStageCompliance(stage: StageName, options: StageComplianceOptions = {}): StageCompliance {
  const previous = process.env.GRAMINSTA_NAG;
  process.env.GRAMINSTA_NAG = '0';
  let built;
  try {
    // Stage 10m with the example regions, domain and zone, as the other offline tools synthesize it.
    built = buildStageApp({ stage, ...(stageSpec(stage).regions ? EXAMPLE_REGION_OPTIONS : {}) });
  } finally {
    if (previous === undefined) delete process.env.GRAMINSTA_NAG;
    else process.env.GRAMINSTA_NAG = previous;
  }
  const assembly = built.app.synth();
  const templates: StackTemplates = Object.fromEntries(built.stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
  const nag = checkNag(built.app, stageSpec(stage));
  const guard = options.guard === false ? [] : runControlTowerRules(stage, templates);
  const imdsv2 = checkImdsv2(templates);
  return {
    stage,
    nag,
    guard,
    imdsv2,
    ok: nag.unacknowledged.length === 0 && nag.unused.length === 0 && nag.missing.length === 0 && guard.length === 0 && imdsv2.length === 0,
  };
}
