import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide } from '../../lambda/deploy-guard/decision';
import { EXAMPLE_REGION_OPTIONS } from '../../lib/app-options';
import { synthStage } from '../../lib/synth';
import { policyBodyFor, stackPolicyRefusal } from '../boot/support/stack-policy-stand-in';

const ROOT = join(__dirname, '..', '..');

/** The shell blocks under docs/stage-safety.md's "Termination protection and the stack policy" (home's, then the second region's), one command per line. */
function liftBlocks(): string[][] {
  const doc = readFileSync(join(ROOT, 'docs', 'stage-safety.md'), 'utf8');
  const start = doc.indexOf('## Termination protection and the stack policy');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1].trim().split('\n'));
}

function liftCommands(): string[] {
  return liftBlocks()[0];
}

/**
 * The documented way to lift a stack policy on purpose, command by command, as far as it goes
 * offline: the lift body exists, the example deploy is one the policy in force refuses and the
 * deploy guard lets through with its confirmation, and the command that sets the policy back
 * prints the body the stage's Monitoring template sets on that stack (its DataStackPolicy
 * resource), from the cloud assembly that deploy wrote.
 */
describe("docs/stage-safety.md: lifting the stack policy on purpose", () => {
  const [show, lift, deploy, restore] = liftCommands();

  test('four commands: show, lift with the committed allow-all body, deploy, set it back', () => {
    expect(show).toMatch(/^aws cloudformation get-stack-policy --stack-name graminsta-Data /);
    expect(lift).toBe('aws cloudformation set-stack-policy --stack-name graminsta-Data --stack-policy-body file://docs/stack-policy-lifted.json');
    expect(JSON.parse(readFileSync(join(ROOT, 'docs', 'stack-policy-lifted.json'), 'utf8')).Statement).toHaveLength(1);
  });

  test('the example deploy is refused by the policy in force, and let through by the deploy guard with its confirmation', () => {
    const match = /^npx cdk deploy graminsta-Data -c stage=(\S+) --exclusively -c confirm=(\S+)$/.exec(deploy)!;
    expect(match).not.toBeNull();
    const [, to, confirm] = match;
    const from = '100k';
    const [fromData, toData] = [synthStage(from)['graminsta-Data'], synthStage(to)['graminsta-Data']];
    const inForce = policyBodyFor(synthStage(from)['graminsta-Monitoring'], 'graminsta-Data');
    expect(stackPolicyRefusal('graminsta-Data', inForce, fromData, toData)).toMatch(/^graminsta-Data: the stack policy denies Update:Delete of CacheReplicationGroup/);
    const guard = Object.values<any>(toData.Resources).find((resource) => resource.Type === 'Custom::DeployGuard').Properties;
    expect(decide({ stack: 'graminsta-Data', from, to, confirm, ladder: guard.Ladder, runbookSteps: guard.RunbookSteps })).toMatchObject({ allowed: true });
  });

  test("setting it back prints the deployed stage's policy body for the stack from Monitoring's template in cdk.out", () => {
    const stage = /-c stage=(\S+)/.exec(deploy)![1];
    const templates = synthStage(stage);
    const dir = mkdtempSync(join(tmpdir(), 'graminsta-lift-'));
    try {
      // `cdk deploy <one stack>` synthesizes the whole app into cdk.out.
      mkdirSync(join(dir, 'cdk.out'));
      for (const [name, template] of Object.entries(templates)) writeFileSync(join(dir, 'cdk.out', `${name}.template.json`), JSON.stringify(template));
      const substitution = /--stack-policy-body "\$\((.*)\)"$/.exec(restore)![1];
      expect(restore.startsWith('aws cloudformation set-stack-policy --stack-name graminsta-Data ')).toBe(true);
      const printed = execFileSync('bash', ['-c', substitution], { cwd: dir, encoding: 'utf8' }).trim();
      expect(printed).toBe(policyBodyFor(templates['graminsta-Monitoring'], 'graminsta-Data'));
      expect(JSON.parse(printed).Statement[0]).toEqual({ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/stage-safety.md: lifting the stack policy of a second-region stack (10m)", () => {
  const [HOME, SECOND] = EXAMPLE_REGION_OPTIONS.regions.split(',');
  const blocks = liftBlocks();
  const [show, lift, deploy, restore] = blocks[1] ?? [];
  const data = `graminsta-${SECOND}-Data`;

  test('a second block, for the second region: the same four commands on its Data stack, in its region', () => {
    expect(blocks).toHaveLength(2);
    expect(show).toMatch(new RegExp(`^aws cloudformation get-stack-policy --region ${SECOND} --stack-name ${data} `));
    expect(lift).toBe(`aws cloudformation set-stack-policy --region ${SECOND} --stack-name ${data} --stack-policy-body file://docs/stack-policy-lifted.json`);
    expect(deploy).toMatch(new RegExp(`^npx cdk deploy ${data} -c stage=10m -c regions=${HOME},${SECOND} -c domainName=\\S+ -c certificateArn=\\S+ -c hostedZoneId=\\S+ --exclusively$`));
    expect(restore.startsWith(`aws cloudformation set-stack-policy --region ${SECOND} --stack-name ${data} `)).toBe(true);
  });

  test("setting it back prints the body the second region's Monitoring sets on its Data stack, from cdk.out", () => {
    const templates = synthStage('10m');
    const dir = mkdtempSync(join(tmpdir(), 'graminsta-lift-'));
    try {
      mkdirSync(join(dir, 'cdk.out'));
      for (const [name, template] of Object.entries(templates)) writeFileSync(join(dir, 'cdk.out', `${name}.template.json`), JSON.stringify(template));
      const substitution = /--stack-policy-body "\$\((.*)\)"$/.exec(restore)![1];
      const printed = execFileSync('bash', ['-c', substitution], { cwd: dir, encoding: 'utf8' }).trim();
      expect(printed).toBe(policyBodyFor(templates[`graminsta-${SECOND}-Monitoring`], data));
      expect(JSON.parse(printed).Statement.some((s: { Effect: string; Action: string }) => s.Effect === 'Deny' && s.Action === 'Update:Replace')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
