import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { stageIndex, stageSpec, type StageName } from '../../../stages/ladder';
import { monthlyCost } from '../../plan/cost-model';
import { checkStageCompliance, type StageCompliance } from '../../compliance/stage-compliance';
import { reviewStageChange, type StageChangeReport } from '../stage-change';
import type { StackTemplates } from '../template';
import { resolveCommit, withBaseWorktree } from './base-worktree';
import { checkoutMonthlyCost } from './base-cost';
import { SynthFailure, synthWithCdkCli } from './cdk-cli-synth';
import { runCommand } from './run-command';
import { checkOutcome, type CheckOutcome } from './check-outcome';

export interface PullRequestReviewOptions {
  /** The repository whose work tree is the head (the pull request's merge commit in CI). */
  readonly repoDir: string;
  /** The base ref: the pull request's base commit. */
  readonly base: string;
  /** The stage the repository deploys. */
  readonly stage: StageName;
  /** Compare with the templates CloudFormation holds instead of the base commit's (needs AWS credentials). */
  readonly deployed?: boolean;
  /** With `deployed`: the stage deployed now, when it is not `stage` (runbooks and cost of the step). @default stage */
  readonly deployedStage?: StageName;
  /** Run the AWS Control Tower cfn-guard rules too (tens of seconds). @default true */
  readonly guard?: boolean;
  readonly appName?: string;
  readonly log?: (line: string) => void;
  /** @default a client from the environment's credentials */
  readonly cloudFormation?: CloudFormationClient;
}

export interface PullRequestReview {
  readonly stage: StageName;
  readonly base: { readonly ref: string; readonly sha: string };
  readonly head: { readonly sha: string; readonly uncommitted: boolean };
  /** What the head was compared with. */
  readonly baseline: { readonly kind: 'base-commit' | 'deployed'; readonly description: string };
  /** The review; absent when a side could not be synthesized. */
  readonly report?: StageChangeReport;
  /** cdk-nag, IMDSv2 and (unless left out) Control Tower rules on the head. */
  readonly compliance?: StageCompliance;
  readonly guard: boolean;
  /** The side that could not be synthesized, and why. */
  readonly failure?: { readonly side: string; readonly message: string };
  readonly outcome: CheckOutcome;
  /** The one command that reproduces this review locally. */
  readonly reproduce: string;
}

const short = (sha: string) => sha.slice(0, 7);

async function headState(repoDir: string): Promise<PullRequestReview['head']> {
  const sha = (await runCommand('git', ['rev-parse', 'HEAD'], { cwd: repoDir })).stdout.trim();
  const status = await runCommand('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoDir });
  return { sha, uncommitted: status.stdout.trim() !== '' };
}

/**
 * Reviews a pull request: synthesizes the deployed stage at the base commit
 * (a temporary worktree) and at the head with the CDK CLI, side by side,
 * runs the stage-change review between the two template sets (a code change
 * at the same stage, not only a stage change), prices the stage with each
 * commit's own cost model, and runs the compliance checks on the head.
 * With `deployed`, the baseline is what CloudFormation holds instead.
 * A side that does not synthesize is reported, not thrown; bad arguments
 * (an unknown base ref) are CliErrors.
 */
export async function reviewPullRequest(options: PullRequestReviewOptions): Promise<PullRequestReview> {
  const { repoDir, stage } = options;
  const log = options.log ?? (() => {});
  const guard = options.guard ?? true;
  const sha = await resolveCommit(repoDir, options.base);
  const head = await headState(repoDir);
  const from = options.deployed ? (options.deployedStage ?? stage) : stage;
  const reproduce = `npm run review:pr -- --base ${short(sha)} --stage ${stage}${options.deployed ? ` --deployed${from !== stage ? ` --deployed-stage ${from}` : ''}` : ''}${guard ? '' : ' --no-guard'}`;
  const baseline: PullRequestReview['baseline'] = options.deployed
    ? { kind: 'deployed', description: `the deployed stacks (the templates CloudFormation holds${from !== stage ? `, stage ${from}` : ''})` }
    : { kind: 'base-commit', description: `the base commit ${short(sha)} at stage ${stage}` };
  const out = mkdtempSync(join(tmpdir(), 'graminsta-pr-review-'));
  const common = { stage, base: { ref: options.base, sha }, head, baseline, guard, reproduce };
  try {
    let headTemplates: StackTemplates;
    let baseDir: string | undefined;
    let baseCost: number | undefined;
    try {
      if (options.deployed) {
        log(`synthesizing stage ${stage} at the head...`);
        headTemplates = await synthWithCdkCli('head', { dir: repoDir, stage, outdir: join(out, 'head'), appName: options.appName });
      } else {
        baseDir = join(out, 'base');
        [headTemplates, baseCost] = await withBaseWorktree(
          repoDir,
          sha,
          async (worktree) => {
            log(`synthesizing stage ${stage} at the base ${short(sha)} and at the head, side by side...`);
            const [headSide, , cost] = await Promise.all([
              synthWithCdkCli('head', { dir: repoDir, stage, outdir: join(out, 'head'), appName: options.appName }),
              synthWithCdkCli('base', { dir: worktree.dir, stage, outdir: baseDir!, appName: options.appName }),
              checkoutMonthlyCost(worktree.dir, stage),
            ]);
            return [headSide, cost] as const;
          },
          log,
        );
      }
    } catch (error) {
      if (!(error instanceof SynthFailure)) throw error;
      const failure = { side: error.side, message: error.message };
      return { ...common, failure, outcome: checkOutcome({ failure }) };
    }

    log(`compliance at stage ${stage}${guard ? ' (cdk-nag, IMDSv2, Control Tower rules)' : ' (cdk-nag, IMDSv2)'}...`);
    const compliance = checkStageCompliance(stage, { guard });
    log('reviewing the change...');
    const reviewed = await reviewStageChange({
      from,
      to: stage,
      fromTemplate: baseDir,
      deployed: options.deployed,
      // A deployed stage above the target is a downgrade: reported as unsafe, not refused.
      allowDowngrade: stageIndex(from) > stageIndex(stage),
      appName: options.appName,
      synth: () => headTemplates,
      cloudFormation: options.cloudFormation,
    });
    const headCost = monthlyCost(stageSpec(stage)).totalUsd;
    const report: StageChangeReport = {
      ...reviewed,
      baseline: options.deployed ? reviewed.baseline : `base ${short(sha)} (stage ${stage})`,
      cost:
        baseCost === undefined
          ? reviewed.cost
          : {
              fromUsd: baseCost,
              toUsd: headCost,
              deltaUsd: headCost - baseCost,
              source: `stage ${stage} priced by the base's and the head's own tools/plan cost model`,
            },
    };
    return { ...common, report, compliance, outcome: checkOutcome({ report, compliance }) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
