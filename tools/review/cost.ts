import { stageSpec, type StageName } from '../../stages/ladder';
import { monthlyCost } from '../plan/cost-model';

/** The monthly cost change of a stage change, from the capacity plan's cost model. */
export interface CostChange {
  readonly fromUsd: number;
  readonly toUsd: number;
  readonly deltaUsd: number;
  /** Where the figures come from. */
  readonly source: string;
}

/**
 * The change in the estimated monthly bill (`tools/plan/cost-model.ts`,
 * `monthlyCost`, each stage at its own user count). Undefined when the
 * starting stage is unknown (templates given without `--from`).
 */
export function monthlyCostChange(from: StageName | undefined, to: StageName): CostChange | undefined {
  if (!from) return undefined;
  const before = monthlyCost(stageSpec(from));
  const after = monthlyCost(stageSpec(to));
  return {
    fromUsd: before.totalUsd,
    toUsd: after.totalUsd,
    deltaUsd: after.totalUsd - before.totalUsd,
    source: `tools/plan cost model, ${after.prices.region} prices as of ${after.prices.asOf}, each stage at its own user count`,
  };
}
