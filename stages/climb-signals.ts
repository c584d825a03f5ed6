/**
 * When to climb: the condition, stage by stage, that says the stage is
 * nearly full, and which stage to climb to. The stage specs say which limit
 * each stage climbs on (`MonitoringSpec.climb`); this module turns that into
 * the words and threshold that `npm run plan` prints as the first limit's
 * signal (tools/plan/limits.ts, capacity.ts) and that the Monitoring stack's
 * when-to-climb alarm carries (lib/constructs/monitoring/climb-alarm.ts), so
 * the two cannot drift apart (test/tools/plan/climb-signals.test.ts and the
 * Monitoring template cases).
 */
import { LADDER } from './ladder';
import type { ClimbSignal, StageSpec } from './stage-spec';

/** Climb at this share of the first limit, while there is still time to carry out the next stage (tools/plan's `climbAtShare`). */
export const CLIMB_AT_PERCENT = 80;

/** How long the condition must hold: growth, not a burst or a nightly job. */
export const CLIMB_SUSTAINED_MINUTES = 60;

/** The condition as the alarm evaluates it: `threshold` in the unit of what the alarm watches. */
export interface ClimbCondition {
  readonly kind: ClimbSignal['kind'];
  readonly threshold: number;
  /** One sentence fragment, the same in the plan's table and the alarm's description. */
  readonly text: string;
}

/** The stage's when-to-climb condition; throws when the spec's climb signal does not fit the stage (a fleet signal on a single instance). */
export function climbCondition(spec: StageSpec): ClimbCondition {
  const signal = spec.monitoring.climb;
  const c = spec.compute;
  const db = spec.database;
  switch (signal.kind) {
    case 'data-volume-full':
      if (c.kind !== 'single-instance') throw new Error(`stage ${spec.name}: monitoring.climb data-volume-full needs the single instance's data volume`);
      return { kind: signal.kind, threshold: CLIMB_AT_PERCENT, text: `the instance's data volume more than ${CLIMB_AT_PERCENT}% full for an hour` };
    case 'fleet-at-maximum': {
      if (c.kind !== 'fleet') throw new Error(`stage ${spec.name}: monitoring.climb fleet-at-maximum needs a fleet`);
      // In-service instances × their average CPU: the fleet's CPU in instance-percent, whatever its current size.
      const threshold = (CLIMB_AT_PERCENT * c.maxCapacity * c.targetCpuPercent) / 100;
      return {
        kind: signal.kind,
        threshold,
        text: `the fleet's CPU (in-service instances × average CPU) above ${threshold}, ${CLIMB_AT_PERCENT}% of its maximum ${c.maxCapacity} × ${c.instanceType} at the ${c.targetCpuPercent}% target, for an hour`,
      };
    }
    case 'database-memory':
      if (db.kind !== 'rds') throw new Error(`stage ${spec.name}: monitoring.climb database-memory needs RDS`);
      return {
        kind: signal.kind,
        threshold: signal.readIops,
        text: `${db.primaries > 1 ? 'a primary' : 'the primary'}'s ReadIOPS above ${signal.readIops} for an hour (its hot data no longer fits in memory)`,
      };
    case 'database-cpu':
      if (db.kind !== 'rds') throw new Error(`stage ${spec.name}: monitoring.climb database-cpu needs RDS`);
      return {
        kind: signal.kind,
        threshold: signal.cpuPercent,
        text: `${db.primaries > 1 ? 'a primary' : 'the primary'}'s CPU above ${signal.cpuPercent}% for an hour (${CLIMB_AT_PERCENT}% of the share the stage plans on)`,
      };
  }
}

/** What the signal watches at a stage, as a key: climbing helps only up to a stage where it differs. */
function watched(kind: ClimbSignal['kind'], spec: StageSpec): string {
  const c = spec.compute;
  const db = spec.database;
  switch (kind) {
    case 'data-volume-full':
      return c.kind === 'single-instance' ? 'the instance data volume' : 'none';
    case 'fleet-at-maximum':
      return c.kind === 'fleet' ? `${c.maxCapacity} × ${c.instanceType}` : 'none';
    case 'database-memory':
    case 'database-cpu':
      return db.kind === 'rds' ? `${db.primaries} × ${db.instanceClass}` : 'none';
  }
}

export interface ClimbTargets {
  /** The stage above on the ladder; undefined at the top. */
  readonly next?: StageSpec;
  /** The first stage above that lifts the limit (changes what the signal watches); undefined when none does. */
  readonly lifts?: StageSpec;
}

/**
 * Where to climb from a stage, read off the ladder's order (a stage added
 * above 1m is named without a change here). Stages 1 and 10 keep the same
 * data volume one step up, so their limit is lifted only at 1k.
 */
export function climbTargets(spec: StageSpec): ClimbTargets {
  const at = LADDER.findIndex((s) => s.name === spec.name);
  if (at < 0) throw new Error(`stage ${spec.name} is not on the ladder`);
  const kind = spec.monitoring.climb.kind;
  const here = watched(kind, spec);
  return { next: LADDER[at + 1], lifts: LADDER.slice(at + 1).find((s) => watched(kind, s) !== here) };
}
