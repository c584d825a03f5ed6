import { writeFileSync } from 'node:fs';
import { isStageName, STAGE_NAMES, type StageName, stageSpec } from '../../../stages/ladder';
import { parseCliArgs } from '../../lib/cli-args';
import { CliError, runCli } from '../../../contracts/cli';
import { toJson } from '../report-json';
import { pullRequestCommentBody } from './comment-body';
import { reviewPullRequest, type PullRequestReview } from './pull-request-review';

const USAGE = `usage: npm run review:pr -- --base <ref> [--stage <stage>] [--deployed [--deployed-stage <stage>]] [--no-guard]
                           [--output <file>] [--json <file>] [--app-name <name>]
                           [--regions <home>,<second> --domain-name <name> --certificate-arn <arn> --hosted-zone-id <Z…>]   (10m: required)
Reviews a pull request as its workflow does: synthesizes <stage> (default 1) at the base commit (a temporary git
worktree) and at this work tree, runs the stage review between them, prices both, runs the compliance checks, and
prints the comment the workflow posts. --deployed compares with the deployed stacks instead (AWS credentials).
exit codes: 0 safe or needs a runbook, 1 unsafe change without a runbook, compliance findings or the head does not synthesize, 2 bad arguments`;

/** The result file the workflow's publish step reads (tools/github/cli.ts publish-review --result). */
export function reviewResult(review: PullRequestReview): object {
  return {
    outcome: review.outcome,
    stage: review.stage,
    base: review.base,
    head: review.head,
    baseline: review.baseline,
    failure: review.failure ?? null,
    review: review.report ? toJson(review.report) : null,
    compliance: review.compliance
      ? { unacknowledged: review.compliance.nag.unacknowledged, unused: review.compliance.nag.unused.length, missing: review.compliance.nag.missing.length, guard: review.compliance.guard, imdsv2: review.compliance.imdsv2 }
      : null,
    reproduce: review.reproduce,
  };
}

function stageOption(flag: string, raw: string | undefined, problems: string[]): StageName | undefined {
  if (raw === undefined || isStageName(raw)) return raw;
  problems.push(`${flag}: unknown stage "${raw}"; expected one of ${STAGE_NAMES.join(', ')}`);
  return undefined;
}

/** The four options stage 10m's synthesis needs (bin/app.ts refuses it without them), as `-c` context; refused below 10m. */
const TWO_REGION_FLAGS = { regions: 'regions', 'domain-name': 'domainName', 'certificate-arn': 'certificateArn', 'hosted-zone-id': 'hostedZoneId' } as const;

function twoRegionContext(stage: StageName | undefined, args: Partial<Record<keyof typeof TWO_REGION_FLAGS, string>>, problems: string[]): Record<string, string> | undefined {
  const flags = Object.keys(TWO_REGION_FLAGS) as (keyof typeof TWO_REGION_FLAGS)[];
  const given = flags.filter((flag) => args[flag] !== undefined && args[flag] !== '');
  if (stage === undefined || !stageSpec(stage).regions) {
    if (given.length > 0) problems.push(`--${given[0]} is for stage 10m (two regions); stage ${stage ?? '?'} runs in one region: leave it out`);
    return undefined;
  }
  const missing = flags.filter((flag) => !given.includes(flag));
  if (missing.length > 0) problems.push(`stage ${stage} needs ${missing.map((flag) => `--${flag}`).join(', ')} (what cdk deploy gets as -c ${missing.map((flag) => `${TWO_REGION_FLAGS[flag]}=`).join(' -c ')})`);
  return Object.fromEntries(given.map((flag) => [TWO_REGION_FLAGS[flag], args[flag]!]));
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(
    argv,
    {
      base: { type: 'string' },
      stage: { type: 'string', default: '1' },
      deployed: { type: 'boolean', default: false },
      'deployed-stage': { type: 'string' },
      'no-guard': { type: 'boolean', default: false },
      output: { type: 'string' },
      json: { type: 'string' },
      'app-name': { type: 'string' },
      regions: { type: 'string' },
      'domain-name': { type: 'string' },
      'certificate-arn': { type: 'string' },
      'hosted-zone-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (!args) return 0;
  const problems: string[] = [];
  if (!args.base) problems.push('--base <ref> is required (the pull request\'s base: a branch, tag or commit)');
  const stage = stageOption('--stage', args.stage, problems);
  const deployedStage = stageOption('--deployed-stage', args['deployed-stage'], problems);
  if (deployedStage && !args.deployed) problems.push('--deployed-stage names the deployed stage: it needs --deployed');
  const context = twoRegionContext(stage, args, problems);
  if (problems.length > 0) throw new CliError(problems.join('\n'), 2, USAGE);

  const review = await reviewPullRequest({
    repoDir: process.cwd(),
    base: args.base!,
    stage: stage!,
    deployed: args.deployed,
    deployedStage,
    guard: !args['no-guard'],
    appName: args['app-name'],
    context,
    log: (line) => process.stderr.write(`review:pr: ${line}\n`),
  });
  const body = pullRequestCommentBody(review);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(reviewResult(review), null, 2)}\n`);
  if (args.output) writeFileSync(args.output, body);
  else process.stdout.write(body);
  process.stderr.write(`review:pr: ${review.outcome.conclusion}: ${review.outcome.title}\n`);
  return review.outcome.conclusion === 'failure' ? 1 : 0;
}

if (require.main === module) runCli('review:pr', () => main(process.argv.slice(2)));
