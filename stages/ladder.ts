import type { StageName, StageSpec } from './stage-spec';
import { STAGE_NAMES } from './stage-spec';
import { stage1 } from './stage-1';
import { stage10 } from './stage-10';
import { stage100 } from './stage-100';
import { stage1k } from './stage-1k';
import { stage10k } from './stage-10k';
import { stage100k } from './stage-100k';
import { stage1m } from './stage-1m';

export * from './stage-spec';

/** Every stage, in order of growth. */
export const LADDER: readonly StageSpec[] = [stage1, stage10, stage100, stage1k, stage10k, stage100k, stage1m];

/** True when `name` is one of the seven stage names. */
export function isStageName(name: unknown): name is StageName {
  return typeof name === 'string' && (STAGE_NAMES as readonly string[]).includes(name);
}

/** The spec of a stage; throws a one-line error naming the valid stages. */
export function stageSpec(name: unknown): StageSpec {
  if (!isStageName(name)) {
    const shown = name === undefined || name === '' ? 'no stage' : `unknown stage "${String(name)}"`;
    throw new Error(`${shown}: pass -c stage=<${STAGE_NAMES.join('|')}>`);
  }
  return LADDER[STAGE_NAMES.indexOf(name)];
}

/** Position of a stage on the ladder (0 for stage 1). */
export function stageIndex(name: StageName): number {
  return STAGE_NAMES.indexOf(name);
}
