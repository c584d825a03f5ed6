import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { stageIndex, stageSpec, type StageName } from '../../../stages/ladder';
import { monthlyCost } from '../../plan/cost-model';
import { checkStageCompliance, type StageCompliance } from '../../compliance/stage-compliance';
import { reviewStageChange, type StageChangeReport } from '../stage-change';
import type { StackTemplates } from '../template';
import { resolveCommit, snapshotWorkTree, withWorktree } from './worktree';
import { checkoutMonthlyCost } from './base-cost';
import { SynthFailure, synthWithCdkCli } from './cdk-cli-synth';
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
  /** Stage 10m's `-c regions= domainName= certificateArn= hostedZoneId=` for both sides' `cdk synth`. @default none */
  readonly context?: Readonly<Record<string, string>>;
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

/**
 * Reviews a pull request: synthesizes the deployed stage at the base commit
 * and at the head (the work tree as it is, uncommitted files included), each
 * in a temporary worktree, with the CDK CLI, side by side,
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
  const snapshot = await snapshotWorkTree(repoDir);
  const head = { sha: await resolveCommit(repoDir, 'HEAD'), uncommitted: snapshot.uncommitted };
  const from = options.deployed ? (options.deployedStage ?? stage) : stage;
  const reproduce = `npm run review:pr -- --base ${short(sha)} --stage ${stage}${options.deployed ? ` --deployed${from !== stage ? ` --deployed-stage ${from}` : ''}` : ''}${guard ? '' : ' --no-guard'}${twoRegionFlags(options.context)}`;
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
        // In place, as the deploy workflow synthesizes: the deployed assets were built from this layout.
        log(`synthesizing stage ${stage} at the head...`);
        headTemplates = await synthWithCdkCli('head', { dir: repoDir, stage, outdir: join(out, 'head'), appName: options.appName, context: options.context });
      } else {
        // Both sides from worktrees of one layout, so that their builds' source maps match (see withWorktree).
        baseDir = join(out, 'base');
        [headTemplates, baseCost] = await withWorktree(
          repoDir,
          sha,
          (baseTree) =>
            withWorktree(
              repoDir,
              snapshot.sha,
              async (headTree) => {
                log(`synthesizing stage ${stage} at the base ${short(sha)} and at the head, side by side...`);
                const [headSide, , cost] = await Promise.all([
                  synthWithCdkCli('head', { dir: headTree.dir, tmpdir: headTree.tmp, stage, outdir: join(out, 'head'), appName: options.appName, context: options.context }),
                  synthWithCdkCli('base', { dir: baseTree.dir, tmpdir: baseTree.tmp, stage, outdir: baseDir!, appName: options.appName, context: options.context }),
                  checkoutMonthlyCost(baseTree.dir, stage),
                ]);
                return [headSide, cost] as const;
              },
              log,
            ),
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

/** Stage 10m's options as review:pr takes them (cli.ts), for the reproduce command. */
function twoRegionFlags(context: Readonly<Record<string, string>> | undefined): string {
  const flag: Readonly<Record<string, string>> = { regions: 'regions', domainName: 'domain-name', certificateArn: 'certificate-arn', hostedZoneId: 'hosted-zone-id' };
  return Object.entries(context ?? {})
    .map(([key, value]) => ` --${flag[key] ?? key} ${value}`)
    .join('');
}
