/**
 * Stage 10m in the deploy and review workflows: the four values bin/app.ts
 * requires there (`-c regions= domainName= certificateArn= hostedZoneId=`)
 * come from repository variables, and a run at 10m without one of them stops
 * at once with an error naming it. The steps' own shell scripts run here, under
 * bash, with stand-in `npx` and `npm` on PATH that print the arguments they get.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const WORKFLOWS = join(__dirname, '..', '..', '..', '.github', 'workflows');
const VARIABLES = { GRAMINSTA_REGIONS: 'us-east-1,eu-west-1', GRAMINSTA_DOMAIN_NAME: 'app.example.com', GRAMINSTA_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/x', GRAMINSTA_HOSTED_ZONE_ID: 'Z0123' };

interface Step {
  readonly name: string;
  readonly run?: string;
}
interface Job {
  readonly env: Record<string, string>;
  readonly steps: Step[];
}

function job(file: string, id: string): Job {
  return (parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { jobs: Record<string, Job> }).jobs[id];
}

function step(j: Job, name: string): string {
  const found = j.steps.find((s) => s.name === name);
  if (!found?.run) throw new Error(`no step "${name}" with a run script`);
  return found.run;
}

/** Runs a step's script with bash, `npx` and `npm` printing their arguments one per line; GitHub runs `run` with `bash -e`. */
function runStep(script: string, env: Record<string, string>): { status: number | null; stdout: string } {
  const bin = mkdtempSync(join(tmpdir(), 'workflow-bin-'));
  try {
    for (const tool of ['npx', 'npm']) {
      writeFileSync(join(bin, tool), `#!/bin/bash\necho ${tool}; printf '%s\\n' "$@"\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const result = spawnSync('bash', ['-e', '-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, GITHUB_OUTPUT: '/dev/null', ...env }, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

const CHECK = "Stage 10m's regions, domain, certificate and zone";

describe.each([
  ['deploy.yml', 'deploy'],
  ['review.yml', 'review'],
])('%s at stage 10m', (file, id) => {
  const j = job(file, id);

  test('the job reads the four repository variables', () => {
    for (const name of Object.keys(VARIABLES)) expect(j.env[name]).toBe(`\${{ vars.${name} }}`);
  });

  test('the check step stops a 10m run without them, naming every one missing; passes with all four, and below 10m without any', () => {
    const check = step(j, CHECK);
    const missing = runStep(check, { STAGE: '10m', GRAMINSTA_REGIONS: VARIABLES.GRAMINSTA_REGIONS });
    expect(missing.status).toBe(1);
    expect(missing.stdout.trim()).toBe(
      '::error::stage 10m needs the repository variables GRAMINSTA_DOMAIN_NAME GRAMINSTA_CERTIFICATE_ARN GRAMINSTA_HOSTED_ZONE_ID (its -c regions=, domainName=, certificateArn=, hostedZoneId=): docs/stage-safety.md, "From pull request to deploy"',
    );
    expect(runStep(check, { STAGE: '10m', ...VARIABLES }).status).toBe(0);
    expect(runStep(check, { STAGE: '1m' }).status).toBe(0);
    // It runs before anything reads AWS or the stage.
    expect(j.steps.findIndex((s) => s.name === CHECK)).toBeLessThan(j.steps.findIndex((s) => s.name?.startsWith('AWS credentials')));
  });
});

describe('what the steps pass at 10m, and not below', () => {
  const lines = (stdout: string) => stdout.trim().split('\n');

  test('deploy: cdk deploy gets the four as -c, the review the three it takes', () => {
    const j = job('deploy.yml', 'deploy');
    const deploy = runStep(step(j, 'Deploy'), { STAGE: '10m', ...VARIABLES });
    expect(lines(deploy.stdout)).toEqual([
      'npx', 'cdk', 'deploy', '--all', '-c', 'stage=10m', '--require-approval', 'never',
      '-c', 'regions=us-east-1,eu-west-1', '-c', 'domainName=app.example.com', '-c', `certificateArn=${VARIABLES.GRAMINSTA_CERTIFICATE_ARN}`, '-c', 'hostedZoneId=Z0123',
    ]);
    expect(lines(runStep(step(j, 'Deploy'), { STAGE: '1m', ...VARIABLES }).stdout)).toEqual(['npx', 'cdk', 'deploy', '--all', '-c', 'stage=1m', '--require-approval', 'never']);
    const review = runStep(step(j, 'Review the deployed stacks against the target stage'), { STAGE: '10m', FROM: '1m', ...VARIABLES });
    expect(lines(review.stdout)).toEqual(expect.arrayContaining(['--regions', 'us-east-1,eu-west-1', '--domain-name', 'app.example.com', '--hosted-zone-id', 'Z0123']));
  });

  test('review: review:pr gets the four', () => {
    const j = job('review.yml', 'review');
    const review = runStep(step(j, 'Review'), { STAGE: '10m', BASE_SHA: 'abc', DEPLOYED: 'false', ...VARIABLES });
    expect(lines(review.stdout)).toEqual([
      'npm', 'run', '-s', 'review:pr', '--', '--base', 'abc', '--stage', '10m', '--output', 'review.md', '--json', 'review.json',
      '--regions', 'us-east-1,eu-west-1', '--domain-name', 'app.example.com', '--certificate-arn', VARIABLES.GRAMINSTA_CERTIFICATE_ARN, '--hosted-zone-id', 'Z0123',
    ]);
    expect(lines(runStep(step(j, 'Review'), { STAGE: '1m', BASE_SHA: 'abc', DEPLOYED: 'false' }).stdout)).not.toContain('--regions');
  });
});
