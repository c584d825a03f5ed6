import { appendFileSync, readFileSync } from 'node:fs';
import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';

const USAGE = `usage: npm run review:gate -- --result <review.json>
Reads what \`npm run review -- --deployed --from <deployed> --to <target> --json\` wrote and decides whether the deploy
workflow may run \`cdk deploy --all\`: not when the step needs a runbook (it names them) or is unsafe. Writes the
decision to $GITHUB_STEP_SUMMARY when set.
exit codes: 0 deploy, 1 stop (needs a runbook, unsafe, or no review result), 2 bad arguments`;

/** The fields of the review's JSON (tools/review/report-json.ts) the gate reads. */
export interface ReviewJson {
  readonly from: string | null;
  readonly to: string;
  readonly baseline?: string;
  readonly safe: boolean;
  readonly verdict: 'safe' | 'safe-with-interruption' | 'needs-runbook' | 'unsafe';
  readonly problems: readonly { readonly rule: string; readonly stack: string; readonly logicalId?: string; readonly message: string }[];
  readonly runbooks: readonly { readonly id: string; readonly title: string; readonly file: string }[];
  readonly longestOutageSeconds?: number;
}

export interface DeployDecision {
  readonly deploy: boolean;
  /** Markdown lines for the job summary; the first is the decision. */
  readonly lines: readonly string[];
}

/**
 * Whether a plain `cdk deploy --all` may take the deployed stacks to the
 * target: `safe` and `safe-with-interruption` deploy; `needs-runbook` stops
 * and names the runbooks to follow instead (they deploy the stacks in the
 * order that keeps data reachable); `unsafe` stops with its problems.
 */
export function deployDecision(review: ReviewJson): DeployDecision {
  const step = `${review.from ? `stage ${review.from}` : 'the deployed stacks (stage not recorded)'} → stage ${review.to}`;
  if (review.verdict === 'needs-runbook') {
    return {
      deploy: false,
      lines: [
        `**Not deployed: ${step} needs ${review.runbooks.length === 1 ? 'a runbook' : 'runbooks'}.** Follow ${review.runbooks.length === 1 ? 'it' : 'them, in order,'} instead of this deploy:`,
        '',
        ...review.runbooks.map((r) => `- ${r.id}: [${r.title}](${r.file})`),
        '',
        `Once the runbooks have deployed stage ${review.to}, run this workflow by hand with deployed-stage ${review.to}: it finds nothing left to deploy and records the stage.`,
      ],
    };
  }
  if (review.verdict === 'unsafe' || !review.safe) {
    return {
      deploy: false,
      lines: [
        `**Not deployed: ${step} is unsafe** (${review.problems.length} problem${review.problems.length === 1 ? '' : 's'} without a runbook):`,
        '',
        ...review.problems.map((p) => `- \`${p.rule}\` ${p.stack}${p.logicalId ? `/${p.logicalId}` : ''}: ${p.message}`),
        ...(review.from ? [] : ['', 'No deploy of this workflow recorded the stage deployed now: run it by hand (workflow_dispatch) with deployed-stage set.']),
      ],
    };
  }
  const outage = review.verdict === 'safe-with-interruption' ? ', with an interruption (see the review)' : '';
  return { deploy: true, lines: [`**Deploying ${step}**: the review says ${review.verdict}${outage}.`] };
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { result: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (!args) return 0;
  if (!args.result) throw new CliError('--result <review.json> is required', 2, USAGE);
  let review: ReviewJson;
  try {
    review = JSON.parse(readFileSync(args.result, 'utf8')) as ReviewJson;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new CliError(`no review result in ${args.result} (${why}): the review stopped before writing one, see its output above; not deploying`, 1);
  }
  if (typeof review?.verdict !== 'string') throw new CliError(`${args.result} has no verdict: not a review --json result; not deploying`, 1);
  const decision = deployDecision(review);
  const text = `${decision.lines.join('\n')}\n`;
  process.stdout.write(text);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${text}\n`);
  return decision.deploy ? 0 : 1;
}

if (require.main === module) runCli('review:gate', () => main(process.argv.slice(2)));
