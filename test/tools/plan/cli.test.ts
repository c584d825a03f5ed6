import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { STAGE_NAMES } from '../../../stages/ladder';

const ROOT = join(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function plan(...args: string[]) {
  return spawnSync(TSX, [join(ROOT, 'tools', 'plan', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('npm run plan', () => {
  test('prints one row per stage with cost and users held', () => {
    const run = plan();
    expect(run.status).toBe(0);
    for (const stage of STAGE_NAMES) expect(run.stdout).toContain(`| \`${stage}\` |`);
    expect(run.stdout).toMatch(/table of \d{4}-\d{2}-\d{2}/);
  });

  test('an unknown stage names the plan\'s own flag (not cdk\'s -c stage), the likely stage, and exits 2', () => {
    const run = plan('--stage', '100K');
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('plan: --stage: unknown stage "100K" (did you mean 100k?); expected one of 1, 10, 100, 1k, 10k, 100k, 1m, 10m');
    expect(run.stderr).toContain('usage: npm run plan');
    expect(run.stdout).toBe('');
  });
});
