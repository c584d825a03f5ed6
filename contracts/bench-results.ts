/**
 * The JSON files the benchmarks write under bench/results/ and the capacity
 * plan (tools/plan) reads: `latest.json` of `npm run bench` and
 * `shard-guard/latest.json` of bench/guard-cost.ts. Changing a field here
 * changes both sides; keep it additive (committed results must still parse).
 * Imports nothing.
 */

/**
 * Requests per second one core of the benchmark machine sustains, per kind of
 * API request: what the benchmark measures and what `npm run plan` sizes
 * stages with (its defaults when no result is given).
 */
export interface MeasuredPerCore {
  /** `GET /api/users/:id` answered from Redis. */
  readonly userCached: number;
  /** `GET /api/users/:id` answered from PostgreSQL. */
  readonly userDb: number;
  readonly feed: number;
  readonly userPhotos: number;
  readonly createPhoto: number;
  /** Log-ins per second per core: password hashing dominates. */
  readonly login: number;
}

export interface ScenarioResult {
  /** Stable key, e.g. `api-user-cached`, `baseline-http`. */
  readonly id: string;
  readonly title: string;
  readonly side: 'api' | 'baseline';
  readonly method: string;
  readonly path: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  /** Non-2xx answers plus socket errors and timeouts: a run with errors is not a valid figure. */
  readonly errors: number;
  /** Errors by kind: HTTP status codes, `socket`, `timeout`. */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** The baseline this result is compared with, and requestsPerSecond / baseline's. */
  readonly baselineId?: string;
  readonly ratio?: number;
  /** A target, where the issue sets one, and whether it was met. */
  readonly target?: TargetResult;
  /**
   * A scenario judged on its CPU against another of the same run (the fan-out feed against the pull
   * feed at the same connections): API + PostgreSQL CPU ms per request of each, and this one's over
   * the other's. Absent when the other did not run. Files before issue 18 have none.
   */
  readonly cpuComparison?: {
    readonly scenarioId: string;
    readonly msPerRequest: number;
    readonly referenceMsPerRequest: number;
    readonly ratio: number;
  };
  /** A shard-layout run: the one-server scenario it repeats, and this run's req/s and p99 over that one's. */
  readonly comparesWith?: string;
  readonly layoutRatio?: { readonly requestsPerSecond: number; readonly p99: number };
  /** Measured runs summarized here (the figures are medians over them). */
  readonly rounds: number;
  /**
   * CPU time per request from /proc: the server process (all its threads),
   * the PostgreSQL server (postmaster and backends) and redis-server.
   * `requestsPerServerCoreSecond` = requests / server CPU seconds: the per-core figure.
   */
  readonly cpu: {
    readonly serverMsPerRequest: number;
    readonly postgresMsPerRequest: number;
    readonly redisMsPerRequest: number;
    readonly requestsPerServerCoreSecond: number;
  };
}

/** What a target check judges: req/s or requests per API CPU second over the baseline's, p99, or API + PostgreSQL CPU per request over another scenario's. */
export type TargetMeasure = 'req/s' | 'per-core' | 'p99' | 'CPU sum';

/** `not measured`: an input of the check is missing from the run (its baseline or reference did not run, or failed). Never counts as met. */
export type TargetVerdict = 'met' | 'not met' | 'not measured';

export interface TargetCheckResult {
  readonly measure: TargetMeasure;
  /** What the check requires, naming its measure: `req/s ≥ 80% of baseline`. */
  readonly text: string;
  readonly verdict: TargetVerdict;
  /** The figure judged: a fraction for req/s, per-core and CPU sum, milliseconds for p99. Absent when not measured. */
  readonly value?: number;
}

export interface TargetResult {
  /** Every check's requirement, joined. */
  readonly text: string;
  /** Only when every check was measured and met (a reader that knows no `verdict` never shows an unmeasured target as met). */
  readonly met: boolean;
  /** Files before issue 18 have neither: read them with `targetVerdict`. */
  readonly verdict?: TargetVerdict;
  readonly checks?: readonly TargetCheckResult[];
}

/** A target's verdict, also for files written before verdicts (met or not met). */
export function targetVerdict(target: TargetResult): TargetVerdict {
  return target.verdict ?? (target.met ? 'met' : 'not met');
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly platform: string; readonly loadAverage: readonly number[] };
  readonly dataSet: { readonly users: number; readonly photos: number; readonly follows: number };
  readonly results: readonly ScenarioResult[];
  /** Password hashes per second on one core (log-in is dominated by them). */
  readonly hashing?: { readonly algorithm: string; readonly hashesPerSecondPerCore: number };
  /** What the capacity plan uses. The API is one Node.js process, so its req/s are per core. */
  readonly perCore: Partial<MeasuredPerCore>;
  /** How PostgreSQL runs the feed query on the seeded data (EXPLAIN ANALYZE, warm). */
  readonly queryPlans?: ReadonlyArray<{ readonly name: string; readonly scan: string; readonly medianExecutionMs: number }>;
  /** The multi-server shard layout the `comparesWith` results ran on: each server's logical shards and the rows it holds. */
  readonly shardLayout?: {
    readonly servers: ReadonlyArray<{ readonly name: string; readonly shards: readonly [number, number]; readonly rows: Readonly<Record<string, number>> }>;
  };
  readonly notes: readonly string[];
}

/** How the shard guard trigger is set for a run of bench/guard-cost.ts. */
export type GuardMode = 'trigger off' | 'guard, no move' | 'guard, shard copying';
export const GUARD_MODES: readonly GuardMode[] = ['trigger off', 'guard, no move', 'guard, shard copying'];

/** One mode's result in `shard-guard/latest.json`. */
export interface GuardCostResult {
  readonly mode: GuardMode;
  /**
   * Median over rounds of the PostgreSQL backend's CPU time per write transaction, in microseconds
   * (from /proc: what the trigger adds to the server's work, whatever else the machine runs).
   */
  readonly microsecondsPerWrite: number;
  readonly rounds: readonly number[];
  /** Median over rounds of the wall time per transaction on one connection (round trips included; sensitive to load). */
  readonly wallMicrosecondsPerWrite?: number;
}
