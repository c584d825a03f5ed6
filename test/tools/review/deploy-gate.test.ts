import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployDecision, type ReviewJson } from '../../../tools/review/deploy-gate';
import { toJson } from '../../../tools/review/report-json';
import { reviewStageChange } from '../../../tools/review/stage-change';
import type { StageName } from '../../../stages/ladder';
import type { StackTemplates } from '../../../tools/review/template';
import { fixtureStage } from './fixtures';

const ROOT = join(__dirname, '..', '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-gate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `npm run review -- --deployed --from <from> --to <to> --json` writes, for deployed and target templates as given. */
async function reviewJson(from: StageName, to: StageName, deployed: StackTemplates, target: StackTemplates): Promise<ReviewJson> {
  const file = join(dir, `deployed-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(deployed));
  return toJson(await reviewStageChange({ from, to, fromTemplate: file, synth: () => target })) as ReviewJson;
}

function gate(result: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'tools/review/deploy-gate.ts'), '--result', result], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const same = () => fixtureStage({ openPorts: [] });

describe('the deploy gate', () => {
  test('1 → 10 needs a runbook: no deploy, and the runbook is named with its file', async () => {
    const decision = deployDecision(await reviewJson('1', '10', same(), same()));
    expect(decision.deploy).toBe(false);
    expect(decision.lines[0]).toBe('**Not deployed: stage 1 → stage 10 needs a runbook.** Follow it instead of this deploy:');
    expect(decision.lines).toContain('- 1-to-10: [Stage 1 → 10: PostgreSQL on the instance → RDS](docs/runbooks/1-to-10.md)');
  });

  test('a code change at the deployed stage that is safe deploys', async () => {
    expect(deployDecision(await reviewJson('10', '10', same(), same()))).toEqual({ deploy: true, lines: ['**Deploying stage 10 → stage 10**: the review says safe.'] });
  });

  test('an unsafe change stops with its problems; with no recorded stage it says how to give one', async () => {
    const review = await reviewJson('10', '10', same(), fixtureStage({ openPorts: [], volumeId: 'RenamedVolume' }));
    const decision = deployDecision({ ...review, from: null });
    expect(decision.deploy).toBe(false);
    expect(decision.lines[0]).toMatch(/^\*\*Not deployed: the deployed stacks \(stage not recorded\) → stage 10 is unsafe\*\* \(\d+ problems? without a runbook\):$/);
    expect(decision.lines.join('\n')).toContain('DataVolume');
    expect(decision.lines.at(-1)).toContain('run it by hand (workflow_dispatch) with deployed-stage set');
  });

  test('the CLI exits 1 naming the runbook and writes the job summary; a missing result stops the deploy too', async () => {
    const result = join(dir, 'review.json');
    writeFileSync(result, JSON.stringify(await reviewJson('100', '1k', same(), same())));
    const summary = join(dir, 'summary.md');
    const run = await gate(result, { GITHUB_STEP_SUMMARY: summary });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('**Not deployed: stage 100 → stage 1k needs a runbook.**');
    expect(run.stdout).toContain('(docs/runbooks/100-to-1k.md)');
    expect(readFileSync(summary, 'utf8')).toBe(`${run.stdout}\n`);

    const missing = await gate(join(dir, 'nothing.json'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^review:gate: no review result in .*nothing\.json \(ENOENT\): the review stopped before writing one, see its output above; not deploying\n$/);
  });
});
