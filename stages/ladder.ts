import { editDistance } from '../contracts/cli';
import type { StageName, StageSpec } from './stage-spec';
import { STAGE_NAMES } from './stage-spec';
import { stage1 } from './stage-1';
import { stage10 } from './stage-10';
import { stage100 } from './stage-100';
import { stage1k } from './stage-1k';
import { stage10k } from './stage-10k';
import { stage100k } from './stage-100k';
import { stage1m } from './stage-1m';
import { stage10m } from './stage-10m';

export * from './stage-spec';

/** Every stage, in order of growth. */
export const LADDER: readonly StageSpec[] = [stage1, stage10, stage100, stage1k, stage10k, stage100k, stage1m, stage10m];

/** True when `name` is one of the stage names. */
export function isStageName(name: unknown): name is StageName {
  return typeof name === 'string' && (STAGE_NAMES as readonly string[]).includes(name);
}

/** Stage names written out as numbers: 1000 is 1k. */
const SPELLED_OUT: Readonly<Record<string, StageName>> = { '1000': '1k', '10000': '10k', '100000': '100k', '1000000': '1m', '10000000': '10m' };

/**
 * The stage a near miss most likely meant (`1K`, ` 1k`, `stage-10`, `100000`,
 * `1mil`), or undefined when nothing is close. Shown as "did you mean …?".
 */
export function suggestStage(raw: string): StageName | undefined {
  const cleaned = raw.trim().toLowerCase().replace(/^stage[\s=:_-]*/, '').replace(/[,_\s]/g, '');
  if (isStageName(cleaned)) return cleaned;
  if (SPELLED_OUT[cleaned]) return SPELLED_OUT[cleaned];
  const unit = /^(\d+)(k|m)[a-z]*$/.exec(cleaned);
  if (unit && isStageName(unit[1] + unit[2])) return (unit[1] + unit[2]) as StageName;
  // One character off (a typo, not a different number): the only such stage, if there is exactly one.
  const close = cleaned.length < 3 ? [] : STAGE_NAMES.filter((name) => editDistance(name, cleaned) === 1);
  return close.length === 1 ? close[0] : undefined;
}

/** " (did you mean 1k?)" for a near miss, otherwise "". */
export function didYouMeanStage(raw: string): string {
  const suggestion = suggestStage(raw);
  return suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
}

/** The spec of a stage; throws a one-line error naming the valid stages (and the near miss's likely stage). */
export function stageSpec(name: unknown): StageSpec {
  if (!isStageName(name)) {
    const shown = name === undefined || name === '' ? 'no stage' : `unknown stage "${String(name)}"${didYouMeanStage(String(name))}`;
    throw new Error(`${shown}: pass -c stage=<${STAGE_NAMES.join('|')}>`);
  }
  return LADDER[STAGE_NAMES.indexOf(name)];
}

/** Position of a stage on the ladder (0 for stage 1). */
export function stageIndex(name: StageName): number {
  return STAGE_NAMES.indexOf(name);
}

/** The stages from `first` up to `last`, both included, in ladder order (`stageRange('1k')`: 1k to 10m). */
export function stageRange(first: StageName, last: StageName = STAGE_NAMES[STAGE_NAMES.length - 1]): StageName[] {
  return STAGE_NAMES.slice(stageIndex(first), stageIndex(last) + 1);
}

/**
 * True when going from `from` up to `to` crosses the neighbour step `step`
 * (a skip such as 10 → 1k crosses 10 → 100 and 100 → 1k).
 */
export function crossesStep(from: StageName, to: StageName, step: readonly [StageName, StageName]): boolean {
  return stageIndex(from) <= stageIndex(step[0]) && stageIndex(step[1]) <= stageIndex(to);
}
