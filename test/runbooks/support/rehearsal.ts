import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StageBoot } from '../../boot/support/stage-boot';
import { commandsOf, type RunbookBlock } from './runbook-blocks';

const REPO = join(__dirname, '..', '..', '..');

/** Splits a command line into words as a POSIX shell would for the simple quoting runbooks use ('…', "…"). */
export function words(command: string): string[] {
  const out: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let current: string | undefined;
  let last = 0;
  for (const match of command.matchAll(pattern)) {
    const glued = match.index === last && current !== undefined;
    const word = match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? match[3];
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
 * Runs runbook blocks as an operator would, against a booted instance and the
 * stand-ins: `instance` blocks in the instance (as root, as in an SSM session,
 * with what the SDK would find through IMDS), `local` blocks through the
 * commands below, each of which does here what it does against AWS. A local
 * command not listed here fails the rehearsal: a runbook edit that adds one
 * must teach it here first. Placeholders `<Name output of stack>` become the
 * output's value in the deployed templates (an unknown output fails).
 */
export class Rehearsal {
  /** What the last local command printed (what an operator pastes at a `read`). */
  private lastLocalOutput = '';
  public readonly snapshots: string[] = [];

  public constructor(private readonly props: RehearsalProps) {}

  public async run(blocks: readonly RunbookBlock[]): Promise<void> {
    for (const block of blocks) {
      this.props.log(`runbook line ${block.line} (${block.headings.join(' > ')}), ${block.where}:`);
      if (block.where === 'local') {
        for (const command of commandsOf(this.substitute(block.text))) await this.local(command);
      } else {
        await this.instance(block);
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
    const script = this.substitute(block.text);
    let partial = '';
    const result = await boot.instance.execAsync(['bash', '-e', '-o', 'pipefail', '-c', script], {
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

  private async local(command: string): Promise<void> {
    this.props.log(`  $ ${command.replace(/--secret-id \S+/, '--secret-id …')}`);
    const argv = words(command);
    const [program, ...args] = argv;
    let output: string;
    if (program === 'npm' && args[0] === 'run' && args[1] === 'review' && args[2] === '--') output = await this.review(args.slice(3));
    else if (program === 'npx' && args[0] === 'cdk' && args[1] === 'deploy') output = await this.deploy(args.slice(2));
    else if (program === 'aws' && args[0] === 'ec2' && args[1] === 'create-snapshot') output = this.createSnapshot(args.slice(2));
    else if (program === 'aws' && args[0] === 'secretsmanager' && args[1] === 'get-secret-value') output = this.getSecretValue(args.slice(2));
    else throw new Error(`the rehearsal cannot run this local command (teach test/runbooks/support/rehearsal.ts what it does): ${command}`);
    this.lastLocalOutput = output;
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

  /** `cdk deploy [stacks | --all] -c stage=<s> [--exclusively]`: the deployed stacks become the stage's. */
  private async deploy(args: readonly string[]): Promise<string> {
    const stacks: string[] = [];
    let all = false;
    let stage: string | undefined;
    let exclusively = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--all') all = true;
      else if (arg === '--exclusively') exclusively = true;
      else if (arg === '-c' || arg === '--context') {
        const [key, value] = (args[++i] ?? '').split('=');
        if (key !== 'stage' || !value) throw new Error(`cdk deploy: the rehearsal knows only -c stage=<stage>, not ${args[i]}`);
        stage = value;
      } else if (!arg.startsWith('-')) stacks.push(arg);
      else throw new Error(`cdk deploy: the rehearsal does not know the option ${arg}`);
    }
    if (!stage) throw new Error('cdk deploy without -c stage=<stage>: the app synthesizes no stage');
    if (all === stacks.length > 0) throw new Error('cdk deploy needs either --all or stack names');
    // Named stacks without --exclusively would deploy their dependencies too; runbooks name both.
    if (!all && !exclusively) throw new Error('cdk deploy of named stacks without --exclusively also deploys what they depend on; say --exclusively');
    const result = await this.props.boot.deploy({ stage, stacks: all ? undefined : stacks });
    if (!result.sameResource || !result.userDataUnchanged) throw new Error(`stage ${stage} would replace or restart the instance (${JSON.stringify(result)}); the rehearsal models in-place updates only`);
    return '';
  }

  private createSnapshot(args: readonly string[]): string {
    const volumeId = args[args.indexOf('--volume-id') + 1];
    const attached = this.props.boot.volume?.volumeId;
    if (args.indexOf('--volume-id') < 0 || volumeId !== attached) throw new Error(`create-snapshot of ${volumeId}, but the instance's data volume is ${attached}`);
    this.snapshots.push(volumeId);
    return JSON.stringify({ SnapshotId: `snap-0${this.snapshots.length.toString().padStart(16, '0')}`, VolumeId: volumeId, State: 'pending' });
  }

  private getSecretValue(args: readonly string[]): string {
    const id = args[args.indexOf('--secret-id') + 1];
    const query = args[args.indexOf('--query') + 1];
    const output = args[args.indexOf('--output') + 1];
    if (query !== 'SecretString' || output !== 'text') throw new Error(`get-secret-value: the rehearsal prints only --query SecretString --output text, not ${args.join(' ')}`);
    return this.props.boot.secrets!.current(id);
  }
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
