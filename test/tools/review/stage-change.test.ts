import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { reviewStageChange } from '../../../tools/review/stage-change';
import { toJson } from '../../../tools/review/report-json';
import { toMarkdown } from '../../../tools/review/report-markdown';
import { CliError } from '../../../contracts/cli';
import { fixtureStage } from './fixtures';

// Stages stand in as fixtures here; the real stages are reviewed in test/transitions/.
const synth = () => fixtureStage({ openPorts: [] });
const cfn = mockClient(CloudFormationClient);
let dir: string;

beforeEach(() => {
  cfn.reset();
  dir = mkdtempSync(join(tmpdir(), 'review-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reviewStageChange arguments', () => {
  test.each([
    [{ from: '10', to: '5k' }, /--to: unknown stage "5k"; expected one of 1, 10, 100, 1k, 10k, 100k, 1m/],
    [{ from: 'x', to: '10' }, /--from: unknown stage "x"/],
    [{ to: '10' }, /--from <stage> is required/],
    [{ from: '100k', to: '10k' }, /100k → 10k is a downward stage change.*refused without --allow-downgrade/],
    [{ to: '10', fromTemplate: join(tmpdir(), 'no-such-dir-review') }, /cannot read templates from .*ENOENT/],
    [{ to: '10', fromTemplate: 'x', deployed: true }, /exclusive/],
  ])('%o is refused with a clear error', async (args, message) => {
    const error = await reviewStageChange({ ...args, synth }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toMatch(message);
    expect((error as CliError).exitCode).toBe(2);
  });

  test('an unreadable template file is refused with a clear error', async () => {
    const file = join(dir, 'broken.template.json');
    writeFileSync(file, '{ not json');
    await expect(reviewStageChange({ to: '10', fromTemplate: file, synth })).rejects.toThrow(/is not valid JSON/);
  });

  test('a downward change with --allow-downgrade is reviewed and reported destructive', async () => {
    const report = await reviewStageChange({ from: '100k', to: '10k', allowDowngrade: true, synth });
    expect(report.downgrade).toBe(true);
    expect(report.safe).toBe(false);
    expect(report.problems[0]).toMatchObject({ rule: 'downgrade' });
    expect(report.runbooks).toEqual([]);
  });
});

describe('reviewStageChange against templates on disk', () => {
  test('a directory of <stack>.template.json files is the baseline; a renamed volume is unsafe', async () => {
    const deployed = fixtureStage({ volumeId: 'OldVolumeName', openPorts: [] });
    for (const [stack, template] of Object.entries(deployed)) writeFileSync(join(dir, `${stack}.template.json`), JSON.stringify(template));
    const report = await reviewStageChange({ to: '10', fromTemplate: dir, synth });
    expect(report.safe).toBe(false);
    expect(report.problems.map((p) => p.logicalId)).toEqual(['OldVolumeName']);
    const json = toJson(report) as { resources: { logicalId: string; impact: string; stateful: boolean; why: string[] }[] };
    expect(json.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ logicalId: 'OldVolumeName', impact: 'orphan', stateful: true, atRisk: true })]),
    );
    const markdown = toMarkdown(report);
    expect(markdown).toMatch(/Verdict: UNSAFE/);
    expect(markdown).toMatch(/## app-Data/);
    expect(markdown).toMatch(/\| OldVolumeName \| AWS::EC2::Volume \| \*\*orphan\*\* \| yes \|/);
  });
});

describe('reviewStageChange --deployed (CloudFormation GetTemplate intercepted)', () => {
  test('a deployed stack is compared with its live template; a stack not deployed yet is reported as new', async () => {
    const live = fixtureStage({ openPorts: [] })['app-Network'];
    cfn.on(GetTemplateCommand, { StackName: 'app-Network' }).resolves({ TemplateBody: JSON.stringify(live) });
    cfn
      .on(GetTemplateCommand, { StackName: 'app-Data' })
      .rejects(Object.assign(new Error('Stack with id app-Data does not exist'), { name: 'ValidationError' }));
    const report = await reviewStageChange({ to: '10', deployed: true, synth, cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) });
    expect(cfn.commandCalls(GetTemplateCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: 'app-Network', TemplateStage: 'Original' },
      { StackName: 'app-Data', TemplateStage: 'Original' },
    ]);
    const network = report.review.stacks.find((s) => s.stack === 'app-Network')!;
    const data = report.review.stacks.find((s) => s.stack === 'app-Data')!;
    expect(network.changes).toEqual([]);
    expect(data.changes.length).toBeGreaterThan(0);
    expect(data.changes.every((c) => c.impact === 'add')).toBe(true);
    expect(report.safe).toBe(true);
  });

  test('missing credentials give a one-line error', async () => {
    cfn.on(GetTemplateCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const error = await reviewStageChange({ to: '10', deployed: true, synth, cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) }).catch((e) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toBe('no usable AWS credentials or region for --deployed: Could not load credentials from any providers');
  });

  test('access denied gives a one-line error naming the stack and the permission', async () => {
    cfn.on(GetTemplateCommand).rejects(
      Object.assign(new Error('User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:GetTemplate'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = await reviewStageChange({ to: '10', deployed: true, synth, cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }) }).catch((e) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toMatch(/^access denied reading the deployed template of app-Network \(cloudformation:GetTemplate\): User: /);
    expect(error.message).not.toMatch(/\n/);
  });
});
