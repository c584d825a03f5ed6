import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StageName } from '../../../stages/ladder';
import { runCommand } from './run-command';

/**
 * The monthly cost a checkout's own cost model gives a stage
 * (`tools/plan/cost-model.ts`, run with that checkout's tsx), or undefined
 * when that commit has no such model or it fails: a code change at the same
 * stage (an instance class, a replica count) changes the bill without a
 * stage change, and only the base's model knows the bill before it.
 */
export async function checkoutMonthlyCost(dir: string, stage: StageName): Promise<number | undefined> {
  const tsx = join(dir, 'node_modules', '.bin', 'tsx');
  if (!existsSync(tsx) || !existsSync(join(dir, 'tools', 'plan', 'cost-model.ts'))) return undefined;
  const script = [
    `const { monthlyCost } = require(${JSON.stringify(join(dir, 'tools', 'plan', 'cost-model'))});`,
    `const { stageSpec } = require(${JSON.stringify(join(dir, 'stages', 'ladder'))});`,
    `process.stdout.write(JSON.stringify(monthlyCost(stageSpec(${JSON.stringify(stage)})).totalUsd));`,
  ].join('\n');
  const result = await runCommand(tsx, ['-e', script], { cwd: dir });
  const value = result.code === 0 ? Number(result.stdout.trim()) : NaN;
  return Number.isFinite(value) ? value : undefined;
}
