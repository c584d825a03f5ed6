import { toMarkdown } from '../report-markdown';
import type { StageCompliance } from '../../compliance/stage-compliance';
import type { PullRequestReview } from './pull-request-review';

/** Opens the pull request comment, so that later runs find it and update it in place. */
export const REVIEW_COMMENT_MARKER = '<!-- graminsta:stage-review -->';

const ICON = { success: '✅', neutral: '⚠️', failure: '❌' } as const;

/** The review's Markdown under this comment's heading: its title dropped, each heading one level down. */
function reviewSection(markdown: string): string[] {
  const lines = markdown.trimEnd().split('\n');
  if (lines[0]?.startsWith('# ')) lines.splice(0, 2);
  return lines.map((line) => (/^#{1,5} /.test(line) ? `#${line}` : line));
}

function complianceSection(compliance: StageCompliance, guard: boolean): string[] {
  const lines = [`### Compliance at stage ${compliance.stage}`, ''];
  const items = [
    ...compliance.nag.unacknowledged.map((f) => `- cdk-nag \`${f.rule}\` at \`${f.path}\`: not acknowledged (\`cdk synth\` fails on it)`),
    ...compliance.nag.unused.map((a) => `- acknowledgement \`${a.rule}\` at \`${a.stack}/${a.path}\` is no longer needed by any finding`),
    ...compliance.nag.missing.map((a) => `- acknowledgement \`${a.rule}\` names \`${a.stack}/${a.path}\`, which does not exist`),
    ...compliance.guard.map((v) => `- Control Tower \`${v.control}\` (${v.rule}) at ${v.stack}/${v.logicalId}`),
    ...compliance.imdsv2.map((f) => `- IMDSv2: ${f.stack}/${f.logicalId}: ${f.message}`),
  ];
  const checks = `cdk-nag AwsSolutions with lib/compliance/acknowledgements.ts, IMDSv2${guard ? ', AWS Control Tower cfn-guard rules' : ' (Control Tower rules not run: --no-guard)'}`;
  if (items.length === 0) lines.push(`No findings (${checks}).`);
  else lines.push(`${items.length} finding${items.length === 1 ? '' : 's'} (${checks}):`, '', ...items);
  return [...lines, ''];
}

/**
 * The pull request comment (and job summary): verdict and baseline first,
 * then the stage-change review's own Markdown (impact per resource,
 * replacements and cascades, IAM and security-group changes, stateful
 * resources at risk, interruptions, runbooks, cost), then compliance, then
 * the command that reproduces it locally.
 */
export function pullRequestCommentBody(review: PullRequestReview): string {
  const head = `${review.head.sha.slice(0, 7)}${review.head.uncommitted ? ' with uncommitted changes' : ''}`;
  const lines = [
    REVIEW_COMMENT_MARKER,
    `## Stage review: stage ${review.stage}`,
    '',
    `${ICON[review.outcome.conclusion]} **${review.outcome.title}**`,
    '',
    `Head ${head} compared with ${review.baseline.description}.`,
    review.baseline.kind === 'base-commit'
      ? 'Baseline: the base commit, not the deployed stacks (no AWS role configured for this run).'
      : 'Baseline: the deployed stacks, read with the configured AWS role.',
    '',
  ];
  if (review.failure) {
    lines.push(`### The ${review.failure.side} does not synthesize`, '', '```', review.failure.message, '```', '');
  }
  if (review.report) lines.push(...reviewSection(toMarkdown(review.report)), '');
  if (review.compliance) lines.push(...complianceSection(review.compliance, review.guard));
  lines.push('---', `Reproduce locally: \`${review.reproduce}\``);
  return `${lines.join('\n')}\n`;
}
