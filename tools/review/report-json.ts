import { longestOutageSeconds } from './interruptions';
import type { StageChangeReport } from './stage-change';

/** The findings as JSON for other tools to gate on: one entry per resource change. */
export function toJson(report: StageChangeReport): object {
  return {
    from: report.from ?? null,
    baseline: report.baseline,
    to: report.to,
    safe: report.safe,
    verdict: report.verdict,
    longestOutageSeconds: longestOutageSeconds(report.interruptions),
    interruptions: report.interruptions,
    downgrade: report.downgrade,
    problems: report.problems,
    warnings: report.review.warnings,
    runbooks: report.runbooks.map(({ id, title, file }) => ({ id, title, file })),
    monthlyCost: report.cost ?? null,
    resources: report.review.stacks.flatMap((stack) =>
      stack.changes.map((change) => ({
        stack: change.stack,
        logicalId: change.logicalId,
        type: change.type,
        impact: change.impact,
        stateful: change.stateful,
        atRisk: change.atRisk,
        why: change.why,
        ...(change.cascadeFrom ? { cascadeFrom: change.cascadeFrom } : {}),
        ...(change.runbook ? { runbook: change.runbook } : {}),
        ...(change.path ? { path: change.path } : {}),
      })),
    ),
  };
}
