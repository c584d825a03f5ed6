import type { TargetCheckResult, TargetMeasure, TargetResult, TargetVerdict } from '../../contracts/bench-results';

/**
 * One requirement the issue sets on a scenario; a target is a list of them, all to hold. Data, not
 * a function: the report's text is derived from the same threshold that is checked.
 */
export type TargetCheck =
  /** req/s over the baseline's req/s. `keep`: a level already reached that must not be lost. */
  | { readonly measure: 'req/s'; readonly atLeast: number; readonly keep?: boolean }
  /** Requests per CPU second of the API process over the baseline's (independent of how the cores were shared). */
  | { readonly measure: 'per-core'; readonly atLeast: number }
  | { readonly measure: 'p99'; readonly belowMs: number }
  /** API + PostgreSQL CPU per request over that of the scenario named by `comparesCpuWith`. */
  | { readonly measure: 'CPU sum'; readonly atMost: number };

/**
 * What targets are judged on, from the summarized medians. A figure is undefined when the run did
 * not measure it: no baseline or reference in the run, or one that failed requests.
 */
export interface TargetFigures {
  /** Failed requests of the scenario itself: its figures measured something else, so no check is met. */
  readonly errors: number;
  readonly p99Ms: number;
  /** req/s over the baseline's. */
  readonly ratio?: number;
  /** Requests per API CPU second over the baseline's. */
  readonly perCoreRatio?: number;
  /** API + PostgreSQL CPU per request over the `comparesCpuWith` scenario's. */
  readonly cpuSumRatio?: number;
  /** The scenario the CPU sum is compared with, for the check's text. */
  readonly comparesCpuWith?: string;
}

const pct = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** The check's requirement as the report states it, naming the measure. */
export function checkText(check: TargetCheck, comparesCpuWith?: string): string {
  switch (check.measure) {
    case 'req/s':
      return `req/s ≥ ${pct(check.atLeast)} of baseline${check.keep ? ' (keep)' : ''}`;
    case 'per-core':
      return `per-core ≥ ${pct(check.atLeast)} of baseline`;
    case 'p99':
      return `p99 < ${check.belowMs} ms`;
    case 'CPU sum':
      return `API + PostgreSQL CPU/req ≤ ${pct(check.atMost)} of ${comparesCpuWith ?? 'a reference scenario'}'s`;
  }
}

function judgeCheck(check: TargetCheck, figures: TargetFigures): TargetCheckResult {
  const judged = (measure: TargetMeasure, value: number | undefined, passes: (v: number) => boolean): TargetCheckResult => {
    const text = checkText(check, figures.comparesCpuWith);
    if (value === undefined || !Number.isFinite(value)) return { measure, text, verdict: 'not measured' };
    return { measure, text, verdict: figures.errors === 0 && passes(value) ? 'met' : 'not met', value };
  };
  switch (check.measure) {
    case 'req/s':
      return judged(check.measure, figures.ratio, (v) => v >= check.atLeast);
    case 'per-core':
      return judged(check.measure, figures.perCoreRatio, (v) => v >= check.atLeast);
    case 'p99':
      return judged(check.measure, figures.p99Ms, (v) => v < check.belowMs);
    case 'CPU sum':
      return judged(check.measure, figures.cpuSumRatio, (v) => v <= check.atMost);
  }
}

/** A target's verdict: not met if any check is not met, else not measured if any input is missing, else met. */
export function judgeTarget(checks: readonly TargetCheck[], figures: TargetFigures): TargetResult {
  if (checks.length === 0) throw new Error('a target needs at least one check');
  const results = checks.map((check) => judgeCheck(check, figures));
  const has = (verdict: TargetVerdict) => results.some((r) => r.verdict === verdict);
  const verdict: TargetVerdict = has('not met') ? 'not met' : has('not measured') ? 'not measured' : 'met';
  return { text: results.map((r) => r.text).join(' and '), met: verdict === 'met', verdict, checks: results };
}
