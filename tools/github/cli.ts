import { appendFileSync, readFileSync } from 'node:fs';
import { isStageName, STAGE_NAMES } from '../../stages/ladder';
import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';
import { REVIEW_COMMENT_MARKER } from '../review/pull-request/comment-body';
import type { CheckOutcome } from '../review/pull-request/check-outcome';
import { createCompletedCheckRun } from './check-run';
import { readDeployedStage, recordDeployedStage } from './deployed-stage';
import { describeGitHubError, gitHubClient, gitHubEnvironment, isReadOnlyToken } from './github-client';
import { upsertMarkedComment } from './marked-comment';

const USAGE = `usage: npm run github -- publish-review --pr <number> --sha <head sha> --body <file.md> --result <file.json> [--check-name <name>] [--details-url <url>]
       npm run github -- deployed-stage --environment <name>
       npm run github -- record-deploy --environment <name> --stage <stage> --sha <commit>
GitHub REST calls of the workflows, with GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL from the environment.
publish-review: creates the pull request's review comment or updates it in place (found by its hidden marker), creates
  a completed check run with the result's conclusion, and appends the body to $GITHUB_STEP_SUMMARY (stdout without it).
deployed-stage: prints the stage the last successful deploy recorded (nothing when none was). record-deploy: records one.
exit codes: 0 done, 1 GitHub API error, 2 bad arguments or environment, 3 the token may not write (a pull request from a
  fork gets a read-only token): nothing posted, the body is in the job summary instead`;

/** publish-review's exit code when the token is read-only: the review ran, only its publication fell back. */
export const EXIT_READ_ONLY = 3;

const COMMANDS = ['publish-review', 'deployed-stage', 'record-deploy'] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  pr: { type: 'string' },
  sha: { type: 'string' },
  body: { type: 'string' },
  result: { type: 'string' },
  'check-name': { type: 'string', default: 'stage review' },
  'details-url': { type: 'string' },
  environment: { type: 'string' },
  stage: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const NEEDS: Record<Command, readonly (keyof typeof OPTIONS)[]> = {
  'publish-review': ['pr', 'sha', 'body', 'result'],
  'deployed-stage': ['environment'],
  'record-deploy': ['environment', 'stage', 'sha'],
};

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readOutcome(file: string): CheckOutcome {
  let parsed: { outcome?: CheckOutcome };
  try {
    parsed = JSON.parse(readText('--result', file)) as { outcome?: CheckOutcome };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--result: ${file} is not JSON (write it with npm run review:pr -- --json <file>)`);
  }
  const outcome = parsed.outcome;
  if (!outcome || !['success', 'neutral', 'failure'].includes(outcome.conclusion) || typeof outcome.title !== 'string') {
    throw new CliError(`--result: ${file} has no outcome { conclusion, title } (write it with npm run review:pr -- --json <file>)`);
  }
  return outcome;
}

/** Appends to the job summary, or prints to stdout outside a workflow. */
function summarize(text: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  else process.stdout.write(text);
}

type Args = NonNullable<ReturnType<typeof parseCliArgs<typeof OPTIONS>>>;

async function publishReview(args: Args): Promise<number> {
  const pr = Number(args.pr);
  if (!Number.isSafeInteger(pr) || pr <= 0) throw new CliError(`--pr must be a pull request number, not "${args.pr}"`, 2, USAGE);
  const body = readText('--body', args.body!);
  const outcome = readOutcome(args.result!);
  const env = gitHubEnvironment();
  const octokit = gitHubClient(env);
  const step = { value: 'comment' };
  try {
    const comment = await upsertMarkedComment(octokit, { ...env.repository, issueNumber: pr, marker: REVIEW_COMMENT_MARKER }, body);
    process.stderr.write(`github: review comment ${comment.action}: ${comment.url}\n`);
    step.value = 'check run';
    const check = await createCompletedCheckRun(octokit, {
      ...env.repository,
      name: args['check-name']!,
      headSha: args.sha!,
      conclusion: outcome.conclusion,
      title: outcome.title,
      summary: body,
      detailsUrl: args['details-url'],
    });
    process.stderr.write(`github: check run "${args['check-name']}" ${outcome.conclusion}: ${check.url}\n`);
    summarize(body);
    return 0;
  } catch (error) {
    if (!isReadOnlyToken(error)) throw new CliError(`cannot post the ${step.value}: ${describeGitHubError(error)}`, 1);
    const refused = step.value === 'comment' ? '**Not posted to the pull request:** GitHub refused the comment' : '**No check run:** GitHub refused it';
    const note =
      `> ${refused} (${describeGitHubError(error)}). The token is read-only, as for a pull request from a fork, so the review ` +
      `is here in the job summary, and the job's own status stands for the "${args['check-name']}" check (${outcome.conclusion}: ${outcome.title}).\n\n`;
    process.stderr.write(
      `github: the token may not write (${describeGitHubError(error)}): a pull request from a fork gets a read-only token; ` +
        `the review goes to ${process.env.GITHUB_STEP_SUMMARY ? 'the job summary' : 'stdout'} instead (exit ${EXIT_READ_ONLY})\n`,
    );
    summarize(`${note}${body}`);
    return EXIT_READ_ONLY;
  }
}

async function deployedStage(args: Args): Promise<number> {
  const env = gitHubEnvironment();
  try {
    const found = await readDeployedStage(gitHubClient(env), { ...env.repository, environment: args.environment! });
    if (found) {
      process.stdout.write(`${found.stage}\n`);
      process.stderr.write(`github: ${args.environment} is at stage ${found.stage} (commit ${found.sha.slice(0, 7)}, deployment ${found.deploymentId})\n`);
    } else {
      process.stderr.write(`github: no stage recorded for ${args.environment}\n`);
    }
    return 0;
  } catch (error) {
    throw new CliError(`cannot read the deployments of ${args.environment}: ${describeGitHubError(error)}`, 1);
  }
}

async function recordDeploy(args: Args): Promise<number> {
  const stage = args.stage!;
  if (!isStageName(stage)) throw new CliError(`--stage: unknown stage "${stage}"; expected one of ${STAGE_NAMES.join(', ')}`, 2, USAGE);
  const env = gitHubEnvironment();
  try {
    const id = await recordDeployedStage(gitHubClient(env), { ...env.repository, environment: args.environment!, stage, sha: args.sha! });
    process.stderr.write(`github: recorded stage ${stage} of ${args.sha!.slice(0, 7)} in ${args.environment} (deployment ${id})\n`);
    return 0;
  } catch (error) {
    throw new CliError(`cannot record the deployed stage: ${describeGitHubError(error)}`, 1);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const command = COMMANDS.find((name) => name === argv[0]);
  const args = parseCliArgs(command ? argv.slice(1) : argv, OPTIONS, USAGE);
  if (!args) return 0;
  if (!command) throw new CliError(`a command is required: ${COMMANDS.join(', ')}`, 2, USAGE);
  const missing = NEEDS[command].filter((name) => args[name] === undefined).map((name) => `--${name} is required by ${command}`);
  if (missing.length > 0) throw new CliError(missing.join('\n'), 2, USAGE);
  if (command === 'publish-review') return publishReview(args);
  if (command === 'deployed-stage') return deployedStage(args);
  return recordDeploy(args);
}

if (require.main === module) runCli('github', () => main(process.argv.slice(2)));
