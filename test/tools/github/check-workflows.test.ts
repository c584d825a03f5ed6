import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkWorkflowCommands } from '../../../tools/github/workflow-commands';

const ROOT = join(__dirname, '..', '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function checkWorkflows(dir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [join(ROOT, 'tools/github/check-workflows.ts'), '--dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const read = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8');

/** A copy of a real workflow with one mistake in it (the text replaced must be there). */
function broken(name: string, from: string, to: string): string {
  const text = read(name);
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('the workflows, validated offline', () => {
  test('ci, review and deploy pass GitHub\'s workflow parser, actionlint and the commands check', async () => {
    expect(readdirSync(WORKFLOWS).sort()).toEqual(['ci.yml', 'deploy.yml', 'review.yml']);
    const run = await checkWorkflows(WORKFLOWS);
    expect(run).toEqual({ status: 0, stdout: '', stderr: 'check:workflows: 3 workflows, no findings\n' });
  });

  test('each kind of mistake is found, by the validator that knows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broken-workflows-'));
    try {
      writeFileSync(join(dir, 'ci.yml'), broken('ci.yml', '    strategy:', '    stratgy:'));
      writeFileSync(join(dir, 'review.yml'), broken('review.yml', 'node-version: 20', 'node-verison: 20'));
      writeFileSync(join(dir, 'deploy.yml'), broken('deploy.yml', 'npm run -s review:gate --', 'npm run -s review:gte --'));
      writeFileSync(join(dir, 'debian.yml'), broken('ci.yml', 'bash .ci/install-debian-packages', 'bash .ci/install-debian-pkgs'));
      const run = await checkWorkflows(dir);
      expect(run.status).toBe(1);
      const lines = run.stdout.trimEnd().split('\n').map((line) => line.slice(dir.length + 1));
      expect(lines).toEqual(
        expect.arrayContaining([
          "ci.yml:26:5: workflow-parser: Unexpected value 'stratgy'",
          expect.stringMatching(/^ci\.yml:26:5: actionlint: unexpected key "stratgy" for "job" section/),
          expect.stringMatching(/^review\.yml:\d+:11: actionlint: input "node-verison" is not defined in action "actions\/setup-node@v4"/),
          'deploy.yml: commands: job deploy, Gate (stops when the step needs a runbook): runs "npm run review:gte", but package.json has no script "review:gte"',
          'debian.yml: commands: job test, Debian packages the tests need (the list .ci/run installs): names .ci/install-debian-pkgs, which does not exist',
        ]),
      );
      expect(run.stderr).toMatch(/^check:workflows: 4 workflows, \d+ findings\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the commands the workflows run exist', () => {
  test.each(['ci.yml', 'review.yml', 'deploy.yml'])('%s names only npm scripts, npx binaries and files that exist', (name) => {
    expect(checkWorkflowCommands(read(name), ROOT)).toEqual([]);
  });

  test('a missing npm script, npx binary, repository file and local action are each named with their step', () => {
    const workflow = `
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/setup
      - name: everything
        run: |
          npm run -s no-such-script -- --x
          npx cowsay hello
          bash .ci/no-such-file && npm test
`;
    expect(checkWorkflowCommands(workflow, ROOT)).toEqual([
      { job: 'build', step: 'step 1', message: 'uses ./.github/actions/setup, which does not exist' },
      { job: 'build', step: 'everything', message: 'runs "npm run no-such-script", but package.json has no script "no-such-script"' },
      { job: 'build', step: 'everything', message: 'runs "npx cowsay", which no installed package provides (npx would download it)' },
      { job: 'build', step: 'everything', message: 'names .ci/no-such-file, which does not exist' },
    ]);
  });

  test("ci runs the README's two commands, on every Node.js major package.json's engines admits, with the Debian packages of .ci/run from their one home", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const commands = /```sh\n([\s\S]*?)```/.exec(readme)![1].trim().split('\n');
    expect(commands).toEqual(['npm ci && npx cdk synth -c stage=100k', 'npm test']);
    const ci = parse(read('ci.yml')) as { on: Record<string, unknown>; jobs: { test: { strategy: { matrix: { node: number[] } }; env: Record<string, string>; steps: { run?: string }[] } } };
    const runs = ci.jobs.test.steps.flatMap((step) => (step.run ? [step.run.trim()] : []));
    expect(runs).toEqual(expect.arrayContaining([...commands, 'bash .ci/install-debian-packages']));
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const engines: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node;
    const majors = engines.split('||').map((range) => Number(/^\s*\^(\d+)\./.exec(range)![1]));
    expect(majors).toEqual([20, 22, 24]);
    expect(ci.jobs.test.strategy.matrix.node).toEqual(majors);
    expect(ci.jobs.test.env.CI).toBe('true');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain('bash .ci/install-debian-packages');
    for (const file of ['.ci/run', '.github/workflows/ci.yml']) expect(readFileSync(join(ROOT, file), 'utf8')).not.toMatch(/apt-get install[^\n]*(redis-server|chromium|mmdebstrap|systemd-container)/);
  });
});
