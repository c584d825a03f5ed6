import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STAGE_NAMES, isStageName, stageIndex, stageSpec, type StageName } from '../../stages/ladder';
import { CliError } from '../../contracts/cli';
import type { StackTemplates } from './template';
import type { Problem } from './problem';
import { reviewTransition, type TransitionReview } from './transition';
import { runbooksBetween, type Runbook } from '../../lib';
import { allowedChangesBetween } from './allowed-changes';
import { publicEntryOf } from './public-entry';
import { readTemplates } from './template-files';
import { fetchDeployedTemplates } from './deployed';
import { monthlyCostChange, type CostChange } from './cost';
import { interruptionsOf, verdictOf, type Interruption, type Verdict } from './interruptions';

export interface StageChangeOptions {
  /** The stage deployed now; required unless templates are given, where it enables runbooks and cost. */
  readonly from?: string;
  readonly to: string;
  /** Compare against these templates (file or directory) instead of synthesizing `from`. */
  readonly fromTemplate?: string;
  /** Compare against the templates CloudFormation holds for the target's stacks. */
  readonly deployed?: boolean;
  readonly allowDowngrade?: boolean;
  readonly appName?: string;
  /** Synthesizes a stage's templates (lib/synth.ts, through lib/index.ts, in the CLI). */
  readonly synth: (stage: StageName) => StackTemplates;
  /** @default a client from the environment's credentials and region */
  readonly cloudFormation?: CloudFormationClient;
}

export interface StageChangeReport {
  readonly from?: StageName;
  /** What the change is compared against. */
  readonly baseline: string;
  readonly to: StageName;
  readonly downgrade: boolean;
  readonly review: TransitionReview;
  readonly problems: readonly Problem[];
  readonly runbooks: readonly Runbook[];
  readonly cost?: CostChange;
  /** What the deploy interrupts or risks while it runs (tools/review/interruptions.ts). */
  readonly interruptions: readonly Interruption[];
  /** `unsafe` (problems), `needs-runbook`, `safe-with-interruption` (an outage or degraded service), `safe`. */
  readonly verdict: Verdict;
  /** No problems: nothing stateful lost without a runbook, no deadlock, no new open port. */
  readonly safe: boolean;
}

function stageArg(flag: string, value: string): StageName {
  if (!isStageName(value)) throw new CliError(`${flag}: unknown stage "${value}"; expected one of ${STAGE_NAMES.join(', ')}`);
  return value;
}

/** Reviews a stage change; throws CliError for bad arguments before doing anything. */
export async function reviewStageChange(options: StageChangeOptions): Promise<StageChangeReport> {
  const to = stageArg('--to', options.to);
  const from = options.from === undefined ? undefined : stageArg('--from', options.from);
  if (options.fromTemplate && options.deployed) throw new CliError('--from-template and --deployed are exclusive: compare against one baseline');
  if (!from && !options.fromTemplate && !options.deployed) throw new CliError('--from <stage> is required (or --from-template <file|dir>, or --deployed)');
  const downgrade = from !== undefined && stageIndex(from) > stageIndex(to);
  if (downgrade && !options.allowDowngrade) {
    throw new CliError(`${from} → ${to} is a downward stage change: it removes resources (and their data) the higher stage added; refused without --allow-downgrade`);
  }

  const after = options.synth(to);
  let before: StackTemplates;
  let baseline: string;
  if (options.fromTemplate) {
    before = readTemplates(options.fromTemplate);
    baseline = `templates in ${options.fromTemplate}${from ? ` (stage ${from})` : ''}`;
  } else if (options.deployed) {
    before = await fetchDeployedTemplates(Object.keys(after), options.cloudFormation);
    baseline = `deployed stacks${from ? ` (stage ${from})` : ''}`;
  } else {
    before = options.synth(from!);
    baseline = `stage ${from}`;
  }

  // Runbooks cover upward steps only; a downgrade or an unknown baseline gets none.
  const upward = from !== undefined && !downgrade;
  // Logical IDs come from the templates compared: the deployed side first, where a retired resource still is.
  const allowed = upward ? allowedChangesBetween(from, to, [before, after]) : [];
  const review = reviewTransition({ before, after, entry: publicEntryOf(stageSpec(to)), allowed });
  const problems: Problem[] = [...review.problems];
  if (downgrade) {
    problems.unshift({ rule: 'downgrade', stack: '*', message: `${from} → ${to} is a downward stage change, destructive by nature; no runbook covers it` });
  }
  const runbooks = upward ? runbooksBetween(from, to) : [];
  const interruptions = interruptionsOf(review.stacks.flatMap((s) => s.changes), before, after);
  return {
    from,
    baseline,
    to,
    downgrade,
    review,
    problems,
    runbooks,
    cost: upward || downgrade ? monthlyCostChange(from, to) : undefined,
    interruptions,
    verdict: verdictOf(problems.length, runbooks.length, interruptions),
    safe: problems.length === 0,
  };
}
