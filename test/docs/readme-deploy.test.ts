import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsAccountStandIn } from '../support/aws-account-stand-in';

const ROOT = join(__dirname, '..', '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** The shell block under the README's "Deploying and moving up a stage" heading, one command per line (comments kept: the shell ignores them). */
function deployBlock(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Deploying and moving up a stage'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  return block.trim().split('\n');
}

/**
 * A fresh working directory that looks like a clone (every top-level entry of
 * the repository linked, except the cloud assembly), so the commands write
 * their own cdk.out and leave the repository's alone.
 */
function cloneLike(): string {
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-readme-deploy-'));
  for (const entry of readdirSync(ROOT)) if (entry !== 'cdk.out') symlinkSync(join(ROOT, entry), join(dir, entry));
  return dir;
}

/**
 * The README's deploy commands, run literally as far as they go offline: the
 * CDK CLI talks to an AWS stand-in on loopback that tells it the account
 * and refuses everything else, so each deploy command runs the app and
 * synthesizes, then stops at its first real AWS call.
 */
describe("README's deploy block, command by command", () => {
  const commands = deployBlock();
  let aws: AwsAccountStandIn;
  let dir: string;

  beforeAll(async () => {
    aws = await AwsAccountStandIn.start(ACCOUNT);
    dir = cloneLike();
  });
  afterAll(async () => {
    await aws?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one line in bash (asynchronously: the stand-in answers from this process). */
  async function run(command: string) {
    const env: NodeJS.ProcessEnv = {};
    // Nothing of the machine's AWS or CDK set-up leaks in.
    for (const [key, value] of Object.entries(process.env)) if (!/^(AWS_|CDK_)/.test(key)) env[key] = value;
    Object.assign(env, aws.environment(REGION), { CDK_DISABLE_CLI_TELEMETRY: 'true', NO_COLOR: '1', FORCE_COLOR: '0' });
    const callsBefore = aws.calls.length;
    const child = spawn('bash', ['-c', command], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { status, output, calls: aws.calls.slice(callsBefore) };
  }

  test('is the three commands the tests below run', () => {
    expect(commands.map((line) => line.replace(/\s+#.*$/, ''))).toEqual([
      'npx cdk bootstrap',
      'npx cdk deploy --all -c stage=1 -c alarmEmail=you@example.com',
      'npm run review -- --from 1 --to 10',
    ]);
  });

  test('cdk bootstrap needs no stage: it finds the environment from the app and reaches the account', async () => {
    const { output, calls } = await run(commands[0]);
    expect(output).not.toMatch(/no stage/);
    expect(output).toContain(`Bootstrapping environment aws://${ACCOUNT}/${REGION}`);
    // Offline it stops here: the stand-in refuses CloudFormation.
    expect(calls[0]).toBe('GetCallerIdentity');
    expect(calls).toContain('DescribeStacks');
  }, 300_000);

  test('cdk deploy of stage 1 synthesizes the four stacks with their outputs and the alarm subscription, then stops at AWS', async () => {
    const { status, output, calls } = await run(commands[1]);
    expect(output).not.toMatch(/^error: /m);
    expect(status).not.toBe(0);
    expect(calls.length).toBeGreaterThan(1);
    const template = (stack: string) => JSON.parse(readFileSync(join(dir, 'cdk.out', `graminsta-${stack}.template.json`), 'utf8'));
    const app = template('App');
    expect(Object.keys(app.Outputs)).toEqual(expect.arrayContaining(['AppUrl', 'DistributionId', 'InstanceId', 'DataVolumeId']));
    expect(JSON.stringify(app.Outputs.AppUrl.Value)).toContain('https://');
    const monitoring = template('Monitoring');
    expect(Object.keys(monitoring.Outputs)).toContain('AlarmTopicArn');
    const subscriptions = Object.values(monitoring.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter(
      (r) => r.Type === 'AWS::SNS::Subscription',
    );
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([['email', 'you@example.com']]);
    expect(existsSync(join(dir, 'cdk.out', 'graminsta-Data.template.json'))).toBe(true);
  }, 300_000);

  test('the review of the next step names its runbook', async () => {
    const { status, output } = await run(commands[2]);
    expect(status).toBe(0);
    expect(output).toContain('needs a runbook');
    expect(output).toContain('docs/runbooks/1-to-10.md');
  }, 300_000);
});
