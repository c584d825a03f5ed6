import type { ShardLag } from './lag';

/**
 * A failover run's state, kept in the target region's SSM next to the
 * region configuration (region-config-store.ts), written before each step it
 * records: a killed run re-run with the same `--to` continues where it
 * stopped, reports the lag the first run saw, and skips what is done (a
 * promoted replica, a region already holding the new configuration).
 */
export interface RunState {
  readonly to: string;
  /** The home region when the run started. */
  readonly from: string;
  /** The epoch the new configuration carries (the start's + 1). */
  readonly epoch: number;
  readonly startedAt: string;
  /** Home answered for every shard at the start: a planned move (fence, lag 0, promote). */
  readonly planned: boolean;
  /** The lag the run saw before it changed anything. */
  readonly lag: readonly ShardLag[];
  /** Shards whose home primary was fenced. */
  readonly fenced: readonly string[];
  /** Shards whose promotion was started (recorded before `promote`). */
  readonly promoting: readonly string[];
  /** Regions holding the new configuration. */
  readonly configWritten: readonly string[];
  readonly doneAt?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isLag = (value: unknown): value is ShardLag => isRecord(value) && typeof value.name === 'string' && typeof value.replica === 'string' && typeof value.checkedAt === 'string';

/** Reads a run state back; anything this tool did not write is an error naming the field. */
export function parseRunState(json: string): RunState {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('the failover run state is not valid JSON');
  }
  if (!isRecord(raw)) throw new Error('the failover run state must be a JSON object');
  const { to, from, epoch, startedAt, planned, lag, fenced, promoting, configWritten, doneAt } = raw;
  const bad = (field: string) => new Error(`the failover run state has a bad ${field}`);
  if (typeof to !== 'string') throw bad('to');
  if (typeof from !== 'string') throw bad('from');
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch)) throw bad('epoch');
  if (typeof startedAt !== 'string') throw bad('startedAt');
  if (typeof planned !== 'boolean') throw bad('planned');
  if (!Array.isArray(lag) || !lag.every(isLag)) throw bad('lag');
  if (!isStrings(fenced)) throw bad('fenced');
  if (!isStrings(promoting)) throw bad('promoting');
  if (!isStrings(configWritten)) throw bad('configWritten');
  if (doneAt !== undefined && typeof doneAt !== 'string') throw bad('doneAt');
  return { to, from, epoch, startedAt, planned, lag, fenced, promoting, configWritten, ...(doneAt ? { doneAt } : {}) };
}
