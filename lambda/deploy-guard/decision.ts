/**
 * Whether a deploy may take one stack from the stage it is at to another: the
 * deploy guard's rule, run by CloudFormation (the custom resource every other
 * resource of the stack waits for) whatever tool starts the deploy.
 *
 * - A stack's first deploy, a same-stage deploy and an upward step no runbook
 *   covers go ahead.
 * - An upward step across one runbook's step (1 → 10, 100 → 1k, 100k → 1m, or
 *   a skip over one of them) goes ahead only with that runbook's id as the
 *   confirmation (`-c confirm=1-to-10`), which the runbook's deploy commands
 *   carry; across two or more, never (one runbook at a time). A plain
 *   `cdk deploy --all` cannot cross a data move by accident.
 * - A step down goes ahead only with `-c confirm=<from>-to-<to>`
 *   (`10-to-1`), which the runbooks' rollback sections carry.
 * - CloudFormation undoing a failed update (the stack rolling back) always
 *   goes ahead: refusing it would leave the stack in UPDATE_ROLLBACK_FAILED.
 *
 * Pure: the handler (index.ts) passes the ladder and the runbooks' steps from
 * the resource's properties, which the app writes from stages/ladder.ts and
 * lib/transitions.ts.
 */

/** A runbook's neighbour step, as the guard's properties carry it. */
export interface RunbookStep {
  /** The runbook's id, which its deploy commands pass as the confirmation. */
  readonly runbook: string;
  readonly from: string;
  readonly to: string;
  /** Path of the runbook from the repository root (docs/runbooks/1-to-10.md). */
  readonly file: string;
}

export interface GuardRequest {
  /** The stack's name, as the message names it. */
  readonly stack: string;
  /** The stage the stack is at; undefined when the guard is created (the stack's first deploy with it). */
  readonly from?: string;
  /** The stage the deploy takes it to. */
  readonly to: string;
  /** The deploy's confirmation (`-c confirm=`), if any. */
  readonly confirm?: string;
  /** Every stage, in order of growth. */
  readonly ladder: readonly string[];
  readonly runbookSteps: readonly RunbookStep[];
  /** True while CloudFormation rolls the stack back. */
  readonly rollingBack?: boolean;
}

export type GuardDecision = { readonly allowed: true; readonly why: string } | { readonly allowed: false; readonly message: string };

/** The confirmation a step down from `from` to `to` carries. */
export function downgradeConfirmation(from: string, to: string): string {
  return `${from}-to-${to}`;
}

export function decide(request: GuardRequest): GuardDecision {
  const { stack, from, to, confirm, ladder } = request;
  const target = ladder.indexOf(to);
  if (target < 0) return { allowed: false, message: `${stack}: unknown stage "${to}" (stages: ${ladder.join(', ')}). Nothing was changed.` };
  if (request.rollingBack) return { allowed: true, why: `CloudFormation is rolling ${stack} back to stage ${to}` };
  if (from === undefined) return { allowed: true, why: `first deploy of ${stack} with the guard: stage ${to} recorded` };
  if (from === to) return { allowed: true, why: `${stack} stays at stage ${to}` };
  const source = ladder.indexOf(from);
  // A stage this ladder does not know (a newer app's, deployed before) is treated like a step down.
  if (source < 0 || target < source) {
    const token = downgradeConfirmation(from, to);
    if (confirm === token) return { allowed: true, why: `${stack}: stage ${from} → ${to} down the ladder, confirmed` };
    return {
      allowed: false,
      message:
        `${stack}: stage ${from} → ${to} goes down the ladder. Going back is a runbook's rollback section, ` +
        `which says when it is safe and deploys with -c confirm=${token}. Nothing was changed.`,
    };
  }
  const crossed = request.runbookSteps.filter((step) => source <= ladder.indexOf(step.from) && ladder.indexOf(step.to) <= target);
  if (crossed.length === 0) return { allowed: true, why: `${stack}: stage ${from} → ${to} needs no runbook` };
  if (crossed.length === 1 && confirm === crossed[0].runbook) {
    return { allowed: true, why: `${stack}: stage ${from} → ${to} through runbook ${crossed[0].runbook}` };
  }
  const steps = crossed.map((step) => `${step.from} → ${step.to} (${step.file}, -c confirm=${step.runbook})`);
  return {
    allowed: false,
    message:
      `${stack}: stage ${from} → ${to} moves data that a plain deploy would lose. ` +
      (crossed.length === 1
        ? `Follow the runbook for ${steps[0]}: its deploy commands carry the confirmation once the data is moved.`
        : `Go one runbook at a time: ${steps.join(', then ')}.`) +
      ' Nothing was changed.',
  };
}
