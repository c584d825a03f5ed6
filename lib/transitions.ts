import { crossesStep, stageIndex, type StageName } from '../stages/ladder';
import type { StackKind } from './app-options';

/**
 * The transition registry: the runbooks, and the destructive changes to
 * stateful resources (`isStatefulType`, lib/resource-spec.ts) that going up
 * the ladder makes on purpose, each covered by a runbook. Written once, here,
 * by construct path; `npm run review` finds each entry's logical ID in the
 * templates it compares (their `aws:cdk:path` metadata), and the ladder
 * invariants (test/lib/stacks/ladder-invariants.cases.ts) read the
 * retirements. Every other replacement, deletion or orphaning of a stateful
 * resource fails the review and the transition tests.
 *
 * It lives in lib/ because its keys are the app's construct paths: renaming a
 * construct here and in lib/constructs is one change. The stage specs decide
 * what each stage has; in the app only the deploy guard
 * (lib/constructs/deploy-guard) reads the runbooks' steps. Tools read it
 * through lib/index.ts.
 */

/** What a deploy does to a resource when it loses or detaches it (tools/review's impacts other than add and update). */
export type LossyImpact = 'replace' | 'may-replace' | 'destroy' | 'orphan';

/** A runbook in docs/runbooks/: the manual steps of one or more neighbour steps. */
export interface Runbook {
  readonly id: string;
  readonly title: string;
  /** Path from the repository root. */
  readonly file: string;
  /**
   * The neighbour steps (from, to) whose destructive changes or data moves it
   * covers; empty for a runbook that changes no stage (adding a primary at 1m).
   */
  readonly steps: readonly (readonly [StageName, StageName])[];
}

export const RUNBOOKS = [
  {
    id: '1-to-10',
    title: 'Stage 1 → 10: PostgreSQL on the instance → RDS',
    file: 'docs/runbooks/1-to-10.md',
    steps: [['1', '10']],
  },
  {
    id: '100-to-1k',
    title: 'Stage 10/100 → 1k: photo files → S3 uploads bucket, single instance → fleet',
    file: 'docs/runbooks/100-to-1k.md',
    steps: [['100', '1k']],
  },
  {
    id: '100k-to-1m',
    title: 'Stage 100k → 1m: four primaries, logical shards moved online with npm run reshard',
    file: 'docs/runbooks/100k-to-1m.md',
    steps: [['100k', '1m']],
  },
  {
    id: '1m-to-10m',
    title: 'Stage 1m → 10m: a second region (cross-region replicas, uploads replication, latency DNS, region configuration)',
    file: 'docs/runbooks/1m-to-10m.md',
    steps: [['1m', '10m']],
  },
  {
    id: 'add-a-primary',
    title: 'Stage 1m: add a primary (-c extraPrimaries) and move shards onto it with npm run reshard',
    file: 'docs/runbooks/add-a-primary.md',
    steps: [],
  },
] as const satisfies readonly Runbook[];

export type RunbookId = (typeof RUNBOOKS)[number]['id'];

/** A destructive change to a stateful resource the project accepts, because a runbook moves the data first. */
export interface PlannedChange {
  /** The stack, by its name without the app prefix. */
  readonly stack: StackKind;
  /** Construct path inside the stack: the template's `aws:cdk:path` without the stack name. */
  readonly path: string;
  /** The neighbour step (from, to) where the change happens; an orphaning retires the resource from `to` on. */
  readonly step: readonly [StageName, StageName];
  /** What the step does to it; `orphan` is a retirement (Retain keeps it in the account). */
  readonly impacts: readonly LossyImpact[];
  readonly runbook: RunbookId;
  /** Why this loses nothing. */
  readonly why: string;
}

export const PLANNED_CHANGES: readonly PlannedChange[] = [
  {
    stack: 'App',
    path: 'ApiServer/DataVolume/Resource',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: "The single instance gives way to the fleet, which keeps no local files. The volume (photos; at stage 1 also PostgreSQL) is orphaned, not deleted, after the runbook copied its photo files to the uploads bucket; it stays as the rollback copy until the runbook's clean-up step.",
  },
  {
    stack: 'App',
    path: 'ApiServer/Logs/Resource',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: "The single instance's API log group is orphaned with its logs when the instance leaves (the fleet logs to its own group); the runbook's clean-up step deletes it once nobody needs those logs.",
  },
  {
    stack: 'Network',
    path: 'AWS679f53fac002430cb0da5b7982bd2287/LogGroup/Resource',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: "The log group of CDK's custom-resource function that looks up CloudFront's origin-facing prefix list for the single instance (stages 1-100); from 1k CloudFront reaches the internal load balancer as a VPC origin and no lookup runs. It holds only those deploy-time calls' logs, is orphaned with its retention, and the runbook's clean-up step deletes it.",
  },
  {
    stack: 'Data',
    path: 'Database/Resource/Resource',
    step: ['100', '1k'],
    impacts: ['may-replace'],
    runbook: '100-to-1k',
    why: 'MultiAZ turns on at 1k; the resource spec marks MultiAZ as "may replace", but RDS converts a running instance to Multi-AZ in place without an outage, and the runbook snapshots first, checks the change set does not show Replacement: True (it shows Conditional), and changes the database alone before the rest.',
  },
];

/** Runbooks to follow, in order, going from `from` up to `to`. */
export function runbooksBetween(from: StageName, to: StageName): Runbook[] {
  return RUNBOOKS.filter((runbook) => runbook.steps.some((step) => crossesStep(from, to, step)));
}

/** Planned changes going from `from` up to `to` (a skip crosses every step in between). */
export function plannedChangesBetween(from: StageName, to: StageName, planned: readonly PlannedChange[] = PLANNED_CHANGES): PlannedChange[] {
  return planned.filter((change) => crossesStep(from, to, change.step));
}

/** The planned changes that retire a resource (orphan it: it leaves the templates and stays in the account). */
export function retirements(planned: readonly PlannedChange[] = PLANNED_CHANGES): PlannedChange[] {
  return planned.filter((change) => change.impacts.includes('orphan'));
}

/** True when the resource at `path` in `stack` is retired at `stage` (its retiring step lies at or below it). */
export function isRetiredAt(stack: StackKind, path: string, stage: StageName, planned: readonly PlannedChange[] = PLANNED_CHANGES): boolean {
  return retirements(planned).some((change) => change.stack === stack && change.path === path && stageIndex(change.step[1]) <= stageIndex(stage));
}
