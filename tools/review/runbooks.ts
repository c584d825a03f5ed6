import type { StageName } from '../../stages/ladder';
import { STAGE_NAMES } from '../../stages/ladder';
import type { Impact, ResourceChange } from './resource-change';

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

/** A destructive change the project accepts, because a runbook moves the data first. */
export interface AllowedChange {
  /** Stack name without the app prefix, e.g. 'App' for 'graminsta-App'. */
  readonly stack: string;
  readonly logicalId: string;
  /** The neighbour step (from, to) where the change happens. */
  readonly step: readonly [StageName, StageName];
  readonly impacts: readonly Impact[];
  readonly runbook: string;
  /** Why this is acceptable, one sentence. */
  readonly why: string;
}

export const RUNBOOKS: readonly Runbook[] = [
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
    id: 'add-a-primary',
    title: 'Stage 1m: add a primary (-c extraPrimaries) and move shards onto it with npm run reshard',
    file: 'docs/runbooks/add-a-primary.md',
    steps: [],
  },
];

/**
 * The destructive changes each runbook covers, by stack and logical ID. Every
 * other replacement, deletion or orphaning of a stateful resource fails the
 * transition proofs and `npm run review`.
 */
export const ALLOWED_CHANGES: readonly AllowedChange[] = [
  {
    stack: 'App',
    logicalId: 'ApiServerDataVolumeF42516C7',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: 'The single instance leaves at 1k; the runbook copies its photo files to the uploads bucket first, and the volume is retained (orphaned, not deleted) as the rollback copy until its clean-up step.',
  },
  {
    stack: 'App',
    logicalId: 'ApiServerLogsA40722D7',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: "The single instance's log group is retained with its logs when the instance leaves; the runbook's clean-up step deletes it once nobody needs those logs.",
  },
  {
    stack: 'Network',
    logicalId: 'AWS679f53fac002430cb0da5b7982bd2287LogGroup449FB7C2',
    step: ['100', '1k'],
    impacts: ['orphan'],
    runbook: '100-to-1k',
    why: "From 1k CloudFront reaches the internal load balancer as a VPC origin, so the prefix-list lookup of stages 1-100 goes; its function's log group (deploy-time lookups only) is retained and the runbook's clean-up step deletes it.",
  },
  {
    stack: 'Data',
    logicalId: 'DatabaseF44359DD',
    step: ['100', '1k'],
    impacts: ['may-replace'],
    runbook: '100-to-1k',
    why: 'MultiAZ turns on at 1k; the resource spec marks MultiAZ as "may replace", but RDS converts a running instance to Multi-AZ in place without an outage, and the runbook snapshots first, checks the change set does not show Replacement: True (it shows Conditional), and changes the database alone before the rest.',
  },
];

function stepIndex(name: StageName): number {
  return STAGE_NAMES.indexOf(name);
}

/** True when the neighbour step lies between `from` and `to` (a skip crosses every step in between). */
export function crossesStep(from: StageName, to: StageName, step: readonly [StageName, StageName]): boolean {
  return stepIndex(from) <= stepIndex(step[0]) && stepIndex(step[1]) <= stepIndex(to);
}

/** Runbooks to follow, in order, going from `from` up to `to`. */
export function runbooksBetween(from: StageName, to: StageName): Runbook[] {
  return RUNBOOKS.filter((runbook) => runbook.steps.some((step) => crossesStep(from, to, step)));
}

/** Allowed destructive changes going from `from` up to `to`. */
export function allowedChangesBetween(from: StageName, to: StageName, allowed: readonly AllowedChange[] = ALLOWED_CHANGES): AllowedChange[] {
  return allowed.filter((entry) => crossesStep(from, to, entry.step));
}

/** The allowed entry that covers a change, if any. */
export function findAllowance(change: ResourceChange, allowed: readonly AllowedChange[]): AllowedChange | undefined {
  return allowed.find(
    (entry) => (change.stack === entry.stack || change.stack.endsWith(`-${entry.stack}`)) && change.logicalId === entry.logicalId && entry.impacts.includes(change.impact),
  );
}
