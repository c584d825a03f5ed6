import type { Octokit } from '@octokit/rest';
import type { RepositoryRef } from './github-client';

/** The conclusions the tools set; GitHub has more (cancelled, timed_out, action_required, ...). */
export type CheckConclusion = 'success' | 'neutral' | 'failure';

/** GitHub refuses a check run output summary longer than this many characters. */
export const CHECK_SUMMARY_LIMIT = 65_535;

export interface CompletedCheckRun extends RepositoryRef {
  readonly name: string;
  /** The commit the check belongs to: the pull request's head. */
  readonly headSha: string;
  readonly conclusion: CheckConclusion;
  /** One line shown beside the check's name. */
  readonly title: string;
  /** Markdown shown on the check's page. */
  readonly summary: string;
  /** Where "Details" links to, e.g. the workflow run. */
  readonly detailsUrl?: string;
}

/**
 * Creates a check run that is already completed with its conclusion
 * (`failure` blocks a merge where branch protection requires the check).
 * @see https://docs.github.com/en/rest/checks/runs#create-a-check-run
 */
export async function createCompletedCheckRun(octokit: Octokit, check: CompletedCheckRun): Promise<{ readonly id: number; readonly url: string }> {
  const summary =
    check.summary.length <= CHECK_SUMMARY_LIMIT ? check.summary : `${check.summary.slice(0, CHECK_SUMMARY_LIMIT - 80)}\n\n…(cut at GitHub's limit: see the job summary)\n`;
  const { data } = await octokit.rest.checks.create({
    owner: check.owner,
    repo: check.repo,
    name: check.name,
    head_sha: check.headSha,
    status: 'completed',
    conclusion: check.conclusion,
    completed_at: new Date().toISOString(),
    ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
    output: { title: check.title, summary },
  });
  return { id: data.id, url: data.html_url ?? '' };
}
