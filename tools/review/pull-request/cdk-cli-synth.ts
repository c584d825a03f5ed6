import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StageName } from '../../../stages/ladder';
import { readTemplates } from '../template-files';
import type { StackTemplates } from '../template';
import { runCommand, tail } from './run-command';

export interface CdkSynthOptions {
  /** A checkout of the project with its node_modules. */
  readonly dir: string;
  readonly stage: StageName;
  /** The cloud assembly directory to write. */
  readonly outdir: string;
  readonly appName?: string;
  /** TMPDIR for the synthesis (where the API and web builds go). @default the process's */
  readonly tmpdir?: string;
  /**
   * More `-c key=value` for `cdk synth`: stage 10m's `regions`, `domainName`,
   * `certificateArn` and `hostedZoneId`, which bin/app.ts requires. @default none
   */
  readonly context?: Readonly<Record<string, string>>;
}

/** Why a side of the comparison has no templates. */
export class SynthFailure extends Error {
  constructor(readonly side: string, message: string) {
    super(message);
    this.name = 'SynthFailure';
  }
}

/**
 * Synthesizes a stage with the checkout's own CDK CLI, exactly as `cdk
 * deploy` would (so both sides of a comparison, and the deployed stacks,
 * carry the same CDK metadata), and reads the templates it wrote.
 * cdk-nag is left out of this synthesis (`GRAMINSTA_NAG=0`): its findings
 * are reported by the compliance check instead of stopping the review.
 */
export async function synthWithCdkCli(side: string, options: CdkSynthOptions): Promise<StackTemplates> {
  const cdk = join(options.dir, 'node_modules', '.bin', 'cdk');
  if (!existsSync(cdk)) throw new SynthFailure(side, `no CDK CLI in ${options.dir}/node_modules (run npm ci)`);
  const args = ['synth', '--quiet', '--no-notices', '-c', `stage=${options.stage}`, '-o', options.outdir];
  if (options.appName) args.push('-c', `appName=${options.appName}`);
  for (const [key, value] of Object.entries(options.context ?? {})) args.push('-c', `${key}=${value}`);
  const result = await runCommand(cdk, args, { cwd: options.dir, env: { ...process.env, GRAMINSTA_NAG: '0', GRAMINSTA_SYNTH_CACHE_DIR: '', ...(options.tmpdir ? { TMPDIR: options.tmpdir } : {}) } });
  if (result.code !== 0) throw new SynthFailure(side, `cdk synth -c stage=${options.stage} failed (exit ${result.code}):\n${tail(result.output)}`);
  try {
    return readTemplates(options.outdir);
  } catch (error) {
    throw new SynthFailure(side, (error as Error).message);
  }
}
