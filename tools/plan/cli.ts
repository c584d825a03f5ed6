import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCliArgs } from '../lib/cli-args';
import { runCli } from '../../contracts/cli';
import { LADDER, STAGE_NAMES, stageSpec } from '../../stages/ladder';
import { DEFAULT_ASSUMPTIONS } from './assumptions';
import { BENCH_RESULT_FILE, loadPerCore } from './bench-throughput';
import { US_EAST_1 } from './price-table';
import { renderAssumptions, renderCostLines, renderLimits, renderStageTable } from './render';
import { planStages } from './stage-plan';
import { capacityDocument } from './capacity-doc';
import { loadBenchReport, loadGuardCost, loadShardLayoutReport, loadSynthTiming } from './measured-sections';

const USAGE = `usage: npm run plan [-- --stage <${STAGE_NAMES.join('|')}>] [--bench bench/results/latest.json] [--write docs/capacity.md]
Capacity and monthly cost of every stage (or one, with its cost lines and tiers) from the price table, the
measured per-core throughput (--bench) and the stated assumptions; --write renders docs/capacity.md.
exit codes: 0 printed (or written), 1 unreadable input, 2 bad arguments`;

export async function main(argv: readonly string[]): Promise<number> {
  const values = parseCliArgs(argv, { stage: { type: 'string' }, bench: { type: 'string', default: BENCH_RESULT_FILE }, write: { type: 'string' } }, USAGE, (v, problems) => {
    problems.stage('--stage', v.stage);
  });
  if (!values) return 0;
  const throughput = loadPerCore(DEFAULT_ASSUMPTIONS.defaultPerCore, resolve(values.bench!));
  const stages = values.stage !== undefined ? [stageSpec(values.stage)] : LADDER;
  const plans = planStages(stages, US_EAST_1, DEFAULT_ASSUMPTIONS, throughput.perCore);

  if (values.write) {
    const target = resolve(values.write);
    const measured = { bench: loadBenchReport(resolve(values.bench!)), synth: loadSynthTiming(), shardLayout: loadShardLayoutReport(), guardCost: loadGuardCost() };
    writeFileSync(target, capacityDocument(plans, DEFAULT_ASSUMPTIONS, throughput, US_EAST_1, measured));
    console.log(`wrote ${target}`);
    return 0;
  }
  console.log(renderStageTable(plans));
  console.log();
  for (const plan of values.stage !== undefined ? plans : []) {
    console.log(renderCostLines(plan));
    console.log();
    console.log(renderLimits(plan));
    console.log();
  }
  console.log(renderAssumptions(DEFAULT_ASSUMPTIONS, throughput, US_EAST_1));
  return 0;
}

if (require.main === module) runCli('plan', () => main(process.argv.slice(2)));
