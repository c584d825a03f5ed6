import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** npm scripts that are other programs' own commands (the CDK CLI, Jest, tsc), not ours. */
const NOT_OURS = new Set(['synth', 'test', 'typecheck', 'cdk']);
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts).filter(
  (name) => !NOT_OURS.has(name),
);
/** Tools shipped to instances and run with node there, not npm scripts. */
const INSTANCE_TOOLS: Record<string, string> = {
  'db-copy': 'tools/db-copy/cli.ts',
  'photos-to-s3': 'tools/photos-to-s3/cli.ts',
  'photos-from-s3': 'tools/photos-from-s3/cli.ts',
};
/** The name each command prints its problems under. */
const TOOL_NAME: Record<string, string> = { 'bench:shards': 'bench' };

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run -s <script> -- <args>` (or the instance tool through tsx), with no database or AWS configured. */
function run(command: string, args: readonly string[]): Promise<Run> {
  const [file, argv] = INSTANCE_TOOLS[command] ? [TSX, [join(ROOT, INSTANCE_TOOLS[command]), ...args]] : ['npm', ['run', '-s', command, '--', ...args]];
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(ROOT, '.data-cli-conventions-never-created') };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'SHARD_MAP', 'QUEUE']) delete env[key];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const ALL = [...scripts, ...Object.keys(INSTANCE_TOOLS)];
const dist = join(ROOT, 'dist');
const distStamp = () => (existsSync(dist) ? statSync(dist).mtimeMs : undefined);

/**
 * One argument convention for every command (contracts/cli.ts; stage options
 * in tools/lib/cli-args.ts): usage on --help with exit 0 and nothing done;
 * every bad argument listed as `<tool>: <problem>`, then the usage, exit 2,
 * nothing done; a near-miss stage named with the stage it likely meant.
 */
describe('every command follows one argument convention', () => {
  test('the commands under test are every npm script of ours and the instance tools', () => {
    expect(ALL).toEqual(
      expect.arrayContaining(['build', 'dev', 'worker', 'review', 'compliance', 'check:templates', 'diagrams', 'audit:web', 'bench', 'seed', 'plan', 'reshard']),
    );
  });

  test.each(ALL.map((c) => [c]))('%s --help prints its usage and exits 0, doing nothing else', async (command) => {
    const before = distStamp();
    const { status, stdout, stderr } = await run(command, ['--help']);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toMatch(/^usage: /);
    expect(stdout).toMatch(/exit codes?: /);
    expect(distStamp()).toBe(before);
  }, 120_000);

  test.each(ALL.map((c) => [c]))('%s lists every bad argument under its name, then the usage, and exits 2', async (command) => {
    const before = distStamp();
    const { status, stdout, stderr } = await run(command, ['--bogus-flag', 'stray']);
    const tool = TOOL_NAME[command] ?? command;
    expect({ status, stdout }).toEqual({ status: 2, stdout: '' });
    const lines = stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([`${tool}: unknown option --bogus-flag`, `${tool}: unexpected argument "stray"`]);
    // Then any other problem (a required option missing), each under the tool's name, then the usage.
    const usage = lines.findIndex((line) => line.startsWith('usage: '));
    expect(usage).toBeGreaterThanOrEqual(2);
    expect(lines.slice(0, usage).filter((line) => !line.startsWith(`${tool}: `))).toEqual([]);
    expect(distStamp()).toBe(before);
  }, 120_000);

  test.each([
    ['review', ['--from', '100K', '--to', '1M'], ['--from: unknown stage "100K" (did you mean 100k?)', '--to: unknown stage "1M" (did you mean 1m?)']],
    ['plan', ['--stage', '100K'], ['--stage: unknown stage "100K" (did you mean 100k?)']],
    ['compliance', ['--stage', '1K,10'], ['--stage: unknown stage "1K" (did you mean 1k?)']],
    ['check:templates', ['--stage', '10,1000'], ['--stage: unknown stage "1000" (did you mean 1k?)']],
  ])('%s %p names every bad stage with the one it likely meant', async (command, args, problems) => {
    const { status, stderr } = await run(command, args);
    expect(status).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.slice(0, problems.length).map((line) => line.replace(/; expected one of .*$/, ''))).toEqual(problems.map((p) => `${command}: ${p}`));
    expect(lines[problems.length]).toMatch(/^usage: /);
  }, 120_000);
});
