import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LADDER, stageSpec } from '../../stages/ladder';
import { DEFAULT_ASSUMPTIONS } from './assumptions';
import { BENCH_RESULT_FILE, loadPerCore } from './bench-throughput';
import { US_EAST_1 } from './price-table';
import { renderAssumptions, renderCostLines, renderStageTable, renderTiers } from './render';
import { planStages } from './stage-plan';
import { capacityDocument } from './capacity-doc';
import { loadBenchReport, loadGuardCost, loadShardLayoutReport, loadSynthTiming } from './measured-sections';

// `npm run plan [-- --stage 100k] [-- --bench file.json] [-- --write docs/capacity.md]`
function main(): void {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      bench: { type: 'string', default: BENCH_RESULT_FILE },
      write: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npm run plan -- [--stage <1|10|100|1k|10k|100k|1m>] [--bench bench/results/latest.json] [--write docs/capacity.md]');
    return;
  }
  const throughput = loadPerCore(DEFAULT_ASSUMPTIONS.defaultPerCore, resolve(values.bench!));
  const stages = values.stage !== undefined ? [stageSpec(values.stage)] : LADDER;
  const plans = planStages(stages, US_EAST_1, DEFAULT_ASSUMPTIONS, throughput.perCore);

  if (values.write) {
    const target = resolve(values.write);
    const measured = { bench: loadBenchReport(resolve(values.bench!)), synth: loadSynthTiming(), shardLayout: loadShardLayoutReport(), guardCost: loadGuardCost() };
    writeFileSync(target, capacityDocument(plans, DEFAULT_ASSUMPTIONS, throughput, US_EAST_1, measured));
    console.log(`wrote ${target}`);
    return;
  }
  console.log(renderStageTable(plans));
  console.log();
  for (const plan of values.stage !== undefined ? plans : []) {
    console.log(renderCostLines(plan));
    console.log();
    console.log(renderTiers(plan));
    console.log();
  }
  console.log(renderAssumptions(DEFAULT_ASSUMPTIONS, throughput, US_EAST_1));
}

try {
  main();
} catch (error) {
  console.error(`plan: ${(error as Error).message}`);
  process.exit(1);
}
