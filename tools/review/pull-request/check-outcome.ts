import type { StageCompliance } from '../../compliance/stage-compliance';
import { formatSeconds, longestOutageSeconds } from '../interruptions';
import type { StageChangeReport } from '../stage-change';

/** What the pull request's check says: GitHub's conclusion and its one-line title. */
export interface CheckOutcome {
  readonly conclusion: 'success' | 'neutral' | 'failure';
  readonly title: string;
}

/** Compliance findings that fail `cdk synth` or the compliance tests. */
export function complianceFindings(compliance: StageCompliance): number {
  return (
    compliance.nag.unacknowledged.length + compliance.nag.unused.length + compliance.nag.missing.length + compliance.guard.length + compliance.imdsv2.length
  );
}

/**
 * The check's conclusion: `failure` for an unsafe change without a runbook,
 * any compliance finding, or a head that does not synthesize; `neutral` when
 * the change needs a runbook (safe only by following it: the deploy workflow
 * stops there) or the base does not synthesize (nothing to compare with);
 * `success` otherwise, interruptions named in the title.
 */
export function checkOutcome(input: {
  readonly report?: StageChangeReport;
  readonly compliance?: StageCompliance;
  readonly failure?: { readonly side: string; readonly message: string };
}): CheckOutcome {
  const { report, compliance, failure } = input;
  if (failure) {
    return failure.side === 'base'
      ? { conclusion: 'neutral', title: 'the base commit does not synthesize: nothing to compare with' }
      : { conclusion: 'failure', title: `the ${failure.side} does not synthesize` };
  }
  if (!report || !compliance) throw new Error('checkOutcome needs a report and a compliance result when no side failed');
  const findings = complianceFindings(compliance);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (report.verdict === 'unsafe') {
    return { conclusion: 'failure', title: `unsafe: ${plural(report.problems.length, 'problem')} without a runbook${findings ? `; ${plural(findings, 'compliance finding')}` : ''}` };
  }
  if (findings > 0) return { conclusion: 'failure', title: `${plural(findings, 'compliance finding')} at stage ${report.to}` };
  const changes = report.review.stacks.reduce((n, stack) => n + stack.changes.length, 0);
  const counted = changes === 0 ? 'no resource changes' : plural(changes, 'resource change');
  if (report.verdict === 'needs-runbook') return { conclusion: 'neutral', title: `needs a runbook (${report.runbooks.map((r) => r.id).join(', ')}): ${counted}` };
  if (report.verdict === 'safe-with-interruption') {
    const longest = longestOutageSeconds(report.interruptions);
    return { conclusion: 'success', title: `safe, with an interruption${longest > 0 ? ` of up to ~${formatSeconds([longest, longest])}` : ' (degraded service)'}: ${counted}` };
  }
  return { conclusion: 'success', title: `safe: ${counted}` };
}
