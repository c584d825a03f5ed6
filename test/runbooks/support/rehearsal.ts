import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StageBoot } from '../../boot/support/stage-boot';
import { AwsCliStandIn } from './aws-cli-stand-in';
import { commandsOf, type RunbookBlock } from './runbook-blocks';

const REPO = join(__dirname, '..', '..', '..');

/**
 * Splits a command line into words as a POSIX shell would for the simple quoting runbooks use
 * ('…', "…"), expanding `$NAME` and `${NAME}` outside single quotes from `variables` (an unset
 * one fails, as under `set -u`).
 */
export function words(command: string, variables: ReadonlyMap<string, string> = new Map()): string[] {
  const expand = (text: string) =>
    text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const value = variables.get(name);
      if (value === undefined) throw new Error(`${name}: unbound variable (set it earlier in the runbook, in the same terminal)`);
      return value;
    });
  const out: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+)/g;
  let current: string | undefined;
  let last = 0;
  for (const match of command.matchAll(pattern)) {
    const glued = match.index === last && current !== undefined;
    const word = match[1] ?? (match[2] !== undefined ? expand(match[2].replace(/\\(.)/g, '$1')) : expand(match[3]));
    if (glued) current += word;
    else {
      if (current !== undefined) out.push(current);
      current = word;
    }
    last = match.index + match[0].length;
  }
  if (current !== undefined) out.push(current);
  return out;
}

export interface RehearsalProps {
  readonly boot: StageBoot;
  readonly log: (line: string) => void;
  /** What `npm run review` must print for this runbook's step (its verdict line). */
  readonly reviewMustPrint?: RegExp;
}

/**
 * Runs runbook blocks as an operator would, against a booted instance and the stand-ins:
 * `instance` blocks in the instance of the last `aws ssm start-session` (else the API instance),
 * as root, as in an SSM session, with what the SDK would find through IMDS; `local` blocks one
 * command at a time, as in one terminal kept open through the runbook: `NAME=value` and
 * `NAME=$(command)` set variables later commands expand, and each command does here what it does
 * against AWS (`npm run review` for real; `cdk deploy` through StageBoot; `aws …` through
 * AwsCliStandIn). A local command not taught here fails the rehearsal: a runbook edit that adds
 * one must teach it first. Placeholders `<Name output of stack>` become the output's value in the
 * templates deployed when the command runs (an unknown output fails).
 */
export class Rehearsal {
  /** What the last local command that printed anything printed (what an operator pastes at a `read`). */
  private lastLocalOutput = '';
  private readonly variables = new Map<string, string>();
  /** The instance the operator's SSM session is on (`aws ssm start-session --target`). */
  private sessionTarget?: string;
  public readonly aws: AwsCliStandIn;

  public constructor(private readonly props: RehearsalProps) {
    this.aws = new AwsCliStandIn(props.boot, props.log);
  }

  /** Snapshots the runbook took (volume IDs and database identifiers). */
  public get snapshots(): readonly string[] {
    return this.aws.snapshots;
  }

  public async run(blocks: readonly RunbookBlock[]): Promise<void> {
    for (const block of blocks) {
      this.props.log(`runbook line ${block.line} (${block.headings.join(' > ')}), ${block.where}:`);
      if (block.where === 'local') {
        for (const command of commandsOf(block.text)) {
          try {
            await this.local(command);
          } catch (error) {
            throw new Error(`runbook line ${block.line}: ${command}\n${(error as Error).message}`);
          }
        }
      } else {
        await this.instance(block);
      }
    }
  }

  /**
   * Checks that every local command of the blocks is one the rehearsal knows, with options it
   * knows, without running anything (for sections the test does not run).
   */
  public check(blocks: readonly RunbookBlock[]): void {
    for (const block of blocks.filter((b) => b.where === 'local')) {
      for (const command of commandsOf(block.text)) {
        const assignment = /^([A-Za-z_]\w*)=(.*)$/.exec(command);
        const text = assignment ? /^\$\((.*)\)$/.exec(assignment[2])?.[1] : command;
        if (text === undefined) continue;
        // Variables and placeholders do not change which command it is or which options it passes.
        const argv = words(text.replace(/<(\w+) output of ([\w-]+)>/g, 'OUTPUT').replace(/\$\{?(\w+)\}?/g, 'VALUE'));
        try {
          if (argv[0] === 'aws' && !(argv[1] === 'ssm' && argv[2] === 'start-session')) this.aws.parse(argv.slice(1));
          else if (argv[0] === 'npx' && argv[1] === 'cdk' && argv[2] === 'deploy') parseDeploy(argv.slice(3));
          else if (!(argv[0] === 'npm' && argv[1] === 'run' && argv[2] === 'review') && !(argv[0] === 'aws')) throw new Error('unknown command');
        } catch (error) {
          throw new Error(`runbook line ${block.line}: ${command}\n${(error as Error).message}`);
        }
      }
    }
  }

  private substitute(text: string): string {
    const boot = this.props.boot;
    return text.replace(/<(\w+) output of ([\w-]+)>/g, (_whole, output: string, stack: string) => {
      if (!boot.templates[stack]) throw new Error(`the runbook names ${stack}, which is not deployed`);
      return String(boot.cloudformation.output(stack, output));
    });
  }

  private async instance(block: RunbookBlock): Promise<void> {
    const boot = this.props.boot;
    const targetId = this.sessionTarget ?? boot.instanceId;
    const target = boot.instances.get(targetId)!;
    if (target.terminated) throw new Error(`runbook line ${block.line}: the session's instance ${targetId} was terminated; start a session on the instance the block is meant for (aws ssm start-session)`);
    // A group's instance may be terminated by scale-in at any time (target tracking, above the minimum):
    // work on a volume the runbook attached to one needs the instance protected first.
    const group = boot.group;
    const attachedByRunbook = [...boot.volumes.entries()].filter(([, v]) => v.attachment?.instanceId === targetId && !v.resource).map(([id]) => id);
    if (group?.instances.some((i) => i.instanceId === targetId) && attachedByRunbook.length && !group.protectedFromScaleIn.has(targetId)) {
      throw new Error(`runbook line ${block.line}: ${attachedByRunbook.join(', ')} is attached to ${targetId}, an instance of ${group.name} not protected from scale-in: the group may terminate it in the middle of this block (aws autoscaling set-instance-protection --protected-from-scale-in first)`);
    }
    const script = this.substitute(block.text);
    this.props.log(`  (on ${targetId})`);
    let partial = '';
    const result = await target.boot.execAsync(['bash', '-e', '-o', 'pipefail', '-c', script], {
      // What the operator pastes at a `read`: what the runbook's last local command printed.
      input: /\bread\b/.test(script) ? `${this.lastLocalOutput.trim()}\n` : '',
      env: boot.awsEnvironment,
      timeoutMs: 15 * 60_000,
      onOutput: (text) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.props.log(`  | ${line}`);
      },
    });
    if (partial) this.props.log(`  | ${partial}`);
    if (result.status !== 0) {
      throw new Error(`runbook line ${block.line}: the instance block exited with ${result.status}:\n${script}\n--- output\n${result.stdout}${result.stderr}\n${boot.diagnostics()}`);
    }
  }

  private async local(line: string): Promise<void> {
    const command = this.substitute(line);
    const assignment = /^([A-Za-z_]\w*)=(.*)$/.exec(command);
    if (assignment) {
      const [, name, value] = assignment;
      const substitution = /^\$\((.*)\)$/.exec(value);
      const result = substitution ? (await this.execute(substitution[1])).replace(/\n+$/, '') : words(value, this.variables).join(' ');
      this.variables.set(name, result);
      this.props.log(`  $ ${name}=${substitution ? `$(${substitution[1]})` : value}   # ${name}=${result}`);
      return;
    }
    this.props.log(`  $ ${command.replace(/--secret-id \S+/, '--secret-id …')}`);
    const output = await this.execute(command);
    // What it printed (the first lines), except a secret's value.
    if (!/secretsmanager get-secret-value/.test(command)) for (const printed of output.trimEnd().split('\n').filter(Boolean).slice(0, 12)) this.props.log(`  > ${printed}`);
    if (output.trim()) this.lastLocalOutput = output;
  }

  /** Runs one command and returns what it prints. */
  private async execute(command: string): Promise<string> {
    const [program, ...args] = words(command, this.variables);
    if (program === 'npm' && args[0] === 'run' && args[1] === 'review' && args[2] === '--') return this.review(args.slice(3));
    if (program === 'npx' && args[0] === 'cdk' && args[1] === 'deploy') return this.deploy(args.slice(2));
    if (program === 'aws' && args[0] === 'ssm' && args[1] === 'start-session') return this.startSession(args.slice(2));
    if (program === 'aws') return this.aws.run(args);
    throw new Error(`the rehearsal cannot run this local command (teach test/runbooks/support/rehearsal.ts what it does): ${command}`);
  }

  /** The real review, run from the repository as the runbook says. */
  private async review(args: readonly string[]): Promise<string> {
    const { status, output } = await runHere('npx', ['tsx', 'tools/review/cli.ts', ...args]);
    if (status !== 0) throw new Error(`npm run review -- ${args.join(' ')} exited with ${status}:\n${output}`);
    const must = this.props.reviewMustPrint;
    if (must && !must.test(output)) throw new Error(`the review did not print ${must}:\n${output}`);
    this.props.log(`  ${output.split('\n').find((line) => /Verdict/.test(line)) ?? '(no verdict line)'}`);
    return output;
  }

  /**
   * `cdk deploy [stacks | --all] -c stage=<s> [--exclusively] [--method=prepare-change-set
   * --change-set-name <name>]`: the deployed stacks become the stage's (see StageBoot.deploy), or
   * a change set is made for describe-change-set.
   */
  private async deploy(args: readonly string[]): Promise<string> {
    const { stacks, stage, confirm, method, changeSetName } = parseDeploy(args);
    const boot = this.props.boot;
    if (method === 'prepare-change-set') {
      if (stacks.length !== 1 || !changeSetName) throw new Error('cdk deploy --method=prepare-change-set: the rehearsal prepares a named change set of one named stack');
      const templates = boot.synthesize(stage).templates;
      if (!templates[stacks[0]]) throw new Error(`stage ${stage} has no stack ${stacks[0]}`);
      this.aws.prepareChangeSet(stacks[0], changeSetName, templates[stacks[0]]);
      return '';
    }
    const result = await boot.deploy({ stage, confirm, stacks: stacks.length ? stacks : undefined });
    if (result.sameResource && !result.userDataUnchanged) throw new Error(`stage ${stage} changes the instance's user data in place (${JSON.stringify(result)}), which the rehearsal does not model`);
    if (result.databaseRestart) this.props.log(`  (RDS) ${result.databaseRestart}`);
    if (result.replaced) this.props.log(`  (CloudFormation) launched ${result.replaced.launched}, then terminated ${result.replaced.terminated} in the clean-up`);
    for (const left of result.leftBehind) this.props.log(`  (CloudFormation) DELETE_FAILED, skipped: ${left.stack}/${left.logicalId} ${left.physicalId}: ${left.reason}`);
    return '';
  }

  /** `aws ssm start-session --target <instance>`: the next instance blocks run there. */
  private startSession(args: readonly string[]): string {
    if (args.length !== 2 || args[0] !== '--target') throw new Error(`aws ssm start-session: the rehearsal knows --target <instance id> only, not ${args.join(' ')}`);
    const target = args[1];
    const boot = this.props.boot;
    const launched = boot.instances.get(target);
    if (!launched) {
      const grouped = boot.group?.instances.find((instance) => instance.instanceId === target);
      if (grouped) throw new Error(`${target} is an instance of ${boot.group!.name} the rehearsal does not boot: it boots ${boot.group!.bootedInstance.instanceId} (${boot.group!.bootedInstance.availabilityZone}) only`);
      throw new Error(`An error occurred (TargetNotConnected) when calling the StartSession operation: ${target} is not connected.`);
    }
    if (launched.terminated) throw new Error(`An error occurred (TargetNotConnected) when calling the StartSession operation: ${target} is not connected (terminated).`);
    this.sessionTarget = target;
    return '';
  }
}

/** The options of `cdk deploy` the rehearsal knows; named stacks need --exclusively (runbooks name what they deploy). */
function parseDeploy(args: readonly string[]): { stacks: string[]; stage: string; confirm?: string; method?: string; changeSetName?: string } {
  const stacks: string[] = [];
  let all = false;
  let stage: string | undefined;
  let confirm: string | undefined;
  let exclusively = false;
  let method: string | undefined;
  let changeSetName: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.split(/=(.*)/s);
    if (arg === '--all') all = true;
    else if (arg === '--exclusively') exclusively = true;
    else if (arg === '-c' || arg === '--context') {
      const [key, value] = (args[++i] ?? '').split('=');
      if ((key !== 'stage' && key !== 'confirm') || !value) throw new Error(`cdk deploy: the rehearsal knows only -c stage=<stage> and -c confirm=<step>, not ${args[i]}`);
      if (key === 'stage') stage = value;
      else confirm = value;
    } else if (flag === '--method') {
      method = inline ?? args[++i];
      if (method !== 'prepare-change-set' && method !== 'change-set' && method !== 'direct') throw new Error(`cdk deploy: --method ${method} is not a method`);
    } else if (flag === '--change-set-name') changeSetName = inline ?? args[++i];
    else if (!arg.startsWith('-')) stacks.push(arg);
    else throw new Error(`cdk deploy: the rehearsal does not know the option ${arg}`);
  }
  if (!stage) throw new Error('cdk deploy without -c stage=<stage>: the app synthesizes no stage');
  if (all === stacks.length > 0) throw new Error('cdk deploy needs either --all or stack names');
  // Named stacks without --exclusively would deploy their dependencies too; runbooks name both.
  if (!all && !exclusively) throw new Error('cdk deploy of named stacks without --exclusively also deploys what they depend on; say --exclusively');
  return { stacks, stage, confirm, method, changeSetName };
}

function runHere(command: string, args: readonly string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? -1, output }));
  });
}
