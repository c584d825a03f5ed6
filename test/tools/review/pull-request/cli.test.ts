import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

function reviewPr(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', 'review:pr', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The one documented command, on this repository: base = HEAD, head = the
 * work tree. Both sides go through the CDK CLI, so a clean tree (CI) shows no
 * resource change at all: the comparison itself adds no noise (CDK metadata,
 * asset paths). Compliance without the Control Tower rules, to stay fast.
 */
test('npm run review:pr -- --base HEAD reproduces the comment the workflow posts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'review-pr-'));
  try {
    const json = join(dir, 'review.json');
    const run = await reviewPr(['--base', 'HEAD', '--no-guard', '--json', json]);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { outcome: { conclusion: string; title: string }; head: { uncommitted: boolean }; base: { sha: string } };
    const sha = result.base.sha.slice(0, 7);
    expect(run.stdout.startsWith('<!-- graminsta:stage-review -->\n## Stage review: stage 1\n')).toBe(true);
    expect(run.stdout).toContain(`compared with the base commit ${sha} at stage 1.`);
    expect(run.stdout).toContain('### Stateful resources at risk');
    expect(run.stdout).toContain('### Compliance at stage 1');
    expect(run.stdout.trimEnd().endsWith(`Reproduce locally: \`npm run review:pr -- --base ${sha} --stage 1 --no-guard\``)).toBe(true);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(`review:pr: ${result.outcome.conclusion}: ${result.outcome.title}`);
    expect(run.status).toBe(result.outcome.conclusion === 'failure' ? 1 : 0);
    if (!result.head.uncommitted) {
      expect(result.outcome).toEqual({ conclusion: 'success', title: 'safe: no resource changes' });
      expect(run.stdout).toContain('$0.00 per month');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
