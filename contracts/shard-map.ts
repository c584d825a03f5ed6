/**
 * The shard map: which PostgreSQL primary owns which logical shards. The
 * stacks write it (lib/constructs/database/shard-map.ts, an SSM parameter, with
 * `initialShardMap`); the API and the worker parse it at start (`SHARD_MAP`,
 * `SHARD_MAP_PARAMETER`, or built from `SHARD_DATABASE_URLS`); tools/reshard
 * and bench/ name primaries and ranges the same way. docs/sharding.md explains
 * the layout. Imports only the ID layout.
 */
import { LOGICAL_SHARDS } from './ids';

/** An inclusive range of logical shards, `[first, last]`. */
export type ShardRange = readonly [number, number];

/**
 * One physical primary in the shard map: its stable name (what
 * `shard_moves.peer` and `tools/reshard --from/--to` call it), where it is (a
 * Secrets Manager secret in the cloud, a URL locally and in tests), its read
 * replicas, and the logical shards it owns in the map (possibly none: a new
 * primary waiting for `tools/reshard` to move shards onto it).
 */
export interface ShardMapPrimarySpec {
  readonly name: string;
  readonly secretArn?: string;
  /**
   * `host[:port]` of the primary when it is not the server the secret names
   * (only with `secretArn`): stage 10m's second region lists its own
   * cross-region replica of each home primary here, reached with the home
   * primary's credentials (PostgreSQL replicates its roles), so the region
   * reads its local server and, once a failover promotes it, writes it with
   * no change to the map (docs/region-routing.md).
   */
  readonly host?: string;
  readonly url?: string;
  readonly replicaHosts: readonly string[];
  readonly replicaUrls: readonly string[];
  readonly shards: readonly ShardRange[];
}

/** The shard map JSON (`SHARD_MAP`, the SSM parameter named by `SHARD_MAP_PARAMETER`, or built from `SHARD_DATABASE_URLS`). */
export interface ShardMapSpec {
  readonly logicalShards: number;
  readonly primaries: readonly ShardMapPrimarySpec[];
}

/** A primary's `host`: a DNS name or address, optionally `:port`. */
const HOST_PORT = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** Names appear in `shard_moves.peer`, logs and tool flags: short, lower-case, no spaces. */
export const PRIMARY_NAME = /^[a-z0-9-]{1,40}$/;

/** The stable name of the primary at `index`: `primary-0`, `primary-1`, ... (what `npm run reshard` takes). */
export function primaryName(index: number): string {
  return `primary-${index}`;
}

/**
 * A primary's entry as the stacks write it: `T` is a string, or a CDK token
 * for the secret ARN and replica hosts until the template resolves them.
 */
export interface ShardMapEntry<T = string> {
  readonly name: string;
  readonly secretArn: T;
  readonly host?: T;
  readonly replicaHosts: readonly T[];
  readonly shards: readonly ShardRange[];
}

/**
 * The map as CloudFormation writes it: every logical shard on the first
 * primary, the others empty. Before 1m one database held every row, so on the
 * day the primaries appear all rows are still on `primary-0`; the 100k → 1m
 * runbook then moves ranges with `npm run reshard`, which records each move in
 * the databases (`shard_moves`), never in this parameter. The template value
 * therefore never has to change for a move, and a later deploy cannot undo
 * one. A primary added later (docs/runbooks/add-a-primary.md) joins with `[]`.
 */
export function initialShardMap<T>(
  logicalShards: number,
  primaries: ReadonlyArray<{ readonly secretArn: T; readonly host?: T; readonly replicaHosts: readonly T[] }>,
): { logicalShards: number; primaries: Array<ShardMapEntry<T>> } {
  if (!Number.isInteger(logicalShards) || logicalShards < 1) throw new Error(`logicalShards must be a positive integer, got ${logicalShards}`);
  if (primaries.length < 1) throw new Error('the shard map needs at least one primary');
  return {
    logicalShards,
    primaries: primaries.map((p, i) => ({
      name: primaryName(i),
      secretArn: p.secretArn,
      ...(p.host === undefined ? {} : { host: p.host }),
      replicaHosts: [...p.replicaHosts],
      shards: i === 0 ? [[0, logicalShards - 1] as const] : [],
    })),
  };
}

function fail(message: string): never {
  throw new Error(message);
}

function stringArray(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    fail(`${where} must be an array of non-empty strings`);
  }
  return value as string[];
}

const ALLOWED_KEYS = new Set(['name', 'secretArn', 'host', 'url', 'replicaHosts', 'replicaUrls', 'shards']);

const isShard = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) < LOGICAL_SHARDS;
const isRange = (value: unknown): value is [number, number] =>
  Array.isArray(value) && value.length === 2 && isShard(value[0]) && isShard(value[1]) && value[0] <= value[1];

/**
 * `shards` is a list of inclusive ranges (`[[0, 1023], [2000, 2000]]`), `[]`
 * for a primary that owns nothing yet, or the original single pair
 * `[first, last]`, still accepted so that maps written before ranges existed
 * keep working.
 */
function parseShards(value: unknown, where: string): ShardRange[] {
  const problem = `${where}.shards must be [first, last] or a list of [first, last] ranges with 0 <= first <= last < ${LOGICAL_SHARDS}`;
  if (!Array.isArray(value)) fail(problem);
  if (value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
    if (!isRange(value)) fail(problem);
    return [[value[0], value[1]]];
  }
  if (!value.every(isRange)) fail(problem);
  return value.map((range) => [range[0], range[1]] as const);
}

/** "0-1023, 2000" for logs and errors. */
export function formatShardRanges(ranges: readonly ShardRange[]): string {
  if (ranges.length === 0) return 'none';
  return ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(', ');
}

/** Contiguous runs of the shards for which `keep(shard)` holds, as ranges. */
export function shardRuns(keep: (shard: number) => boolean): ShardRange[] {
  const runs: ShardRange[] = [];
  let start = -1;
  for (let shard = 0; shard <= LOGICAL_SHARDS; shard++) {
    const inside = shard < LOGICAL_SHARDS && keep(shard);
    if (inside && start === -1) start = shard;
    if (!inside && start !== -1) {
      runs.push([start, shard - 1]);
      start = -1;
    }
  }
  return runs;
}

/**
 * Checks that the primaries' ranges cover every logical shard exactly once (a
 * gap would make rows unreachable, an overlap would make an ID's owner
 * ambiguous) and returns, per shard, the index of its primary.
 */
export function ownerTable(primaries: readonly Pick<ShardMapPrimarySpec, 'name' | 'shards'>[]): Int16Array {
  const owner = new Int16Array(LOGICAL_SHARDS).fill(-1);
  primaries.forEach((primary, index) => {
    for (const [first, last] of primary.shards) {
      for (let shard = first; shard <= last; shard++) {
        if (owner[shard] !== -1) {
          fail(`logical shard ${shard} belongs to more than one primary (${primaries[owner[shard]].name} and ${primary.name})`);
        }
        owner[shard] = index;
      }
    }
  });
  const gaps = shardRuns((shard) => owner[shard] === -1);
  if (gaps.length > 0) fail(`logical shards ${formatShardRanges(gaps)} belong to no primary`);
  return owner;
}

/** `count` even, contiguous ranges covering every logical shard (the first ones one shard larger when it does not divide). */
export function evenShardRanges(count: number): ShardRange[] {
  const ranges: ShardRange[] = [];
  let first = 0;
  for (let index = 0; index < count; index++) {
    const size = Math.floor(LOGICAL_SHARDS / count) + (index < LOGICAL_SHARDS % count ? 1 : 0);
    ranges.push([first, first + size - 1]);
    first += size;
  }
  return ranges;
}

/**
 * The local and test layout (`SHARD_DATABASE_URLS`): one primary per URL,
 * named `primary-0` … `primary-<n-1>`, owning even contiguous ranges.
 */
export function shardMapFromUrls(urls: readonly string[]): ShardMapSpec {
  if (urls.length === 0) fail('must list at least one postgres:// URL');
  if (urls.length > LOGICAL_SHARDS) fail(`lists ${urls.length} URLs; at most ${LOGICAL_SHARDS} (one per logical shard)`);
  if (new Set(urls).size !== urls.length) fail('lists the same URL twice (each entry is a separate primary)');
  const ranges = evenShardRanges(urls.length);
  return {
    logicalShards: LOGICAL_SHARDS,
    primaries: urls.map((url, index) => ({ name: primaryName(index), url, replicaHosts: [], replicaUrls: [], shards: [ranges[index]] })),
  };
}

/**
 * Parses and validates a shard map: the logical shard count must be the one
 * baked into every ID, names must be unique, and the ranges must cover every
 * logical shard exactly once. Errors never echo a URL (it may hold a password).
 */
export function parseShardMap(json: string): ShardMapSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    fail('is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('must be a JSON object');
  const { logicalShards, primaries } = raw as Record<string, unknown>;
  if (logicalShards !== LOGICAL_SHARDS) {
    fail(`logicalShards must be ${LOGICAL_SHARDS} (fixed by the ID layout), got ${JSON.stringify(logicalShards)}`);
  }
  if (!Array.isArray(primaries) || primaries.length === 0) fail('primaries must be a non-empty array');
  const parsed = primaries.map((entry: unknown, index): ShardMapPrimarySpec => {
    const where = `primaries[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${where} must be an object`);
    const record = entry as Record<string, unknown>;
    const unknownKey = Object.keys(record).find((key) => !ALLOWED_KEYS.has(key));
    if (unknownKey) fail(`${where} has an unknown key "${unknownKey}"`);
    const { name, secretArn, host, url, shards } = record;
    if (name !== undefined && (typeof name !== 'string' || !PRIMARY_NAME.test(name))) {
      fail(`${where}.name must match ${PRIMARY_NAME.source} (lower-case letters, digits and dashes, at most 40)`);
    }
    if ((secretArn === undefined) === (url === undefined)) fail(`${where} needs exactly one of secretArn or url`);
    if (secretArn !== undefined && (typeof secretArn !== 'string' || !secretArn.startsWith('arn:'))) fail(`${where}.secretArn must be an ARN`);
    if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url))) fail(`${where}.url must be a postgres:// URL`);
    if (host !== undefined && secretArn === undefined) fail(`${where}.host goes with secretArn (its credentials); a url names its own host`);
    if (host !== undefined && (typeof host !== 'string' || !HOST_PORT.test(host))) fail(`${where}.host must be host or host:port`);
    return {
      name: (name as string | undefined) ?? primaryName(index),
      secretArn: secretArn as string | undefined,
      ...(host === undefined ? {} : { host: host as string }),
      url: url as string | undefined,
      replicaHosts: stringArray(record.replicaHosts, `${where}.replicaHosts`),
      replicaUrls: stringArray(record.replicaUrls, `${where}.replicaUrls`),
      shards: parseShards(shards, where),
    };
  });
  const seen = new Map<string, number>();
  parsed.forEach((primary, index) => {
    const earlier = seen.get(primary.name);
    if (earlier !== undefined) fail(`primaries[${earlier}] and primaries[${index}] are both named "${primary.name}" (names must be unique)`);
    seen.set(primary.name, index);
  });
  ownerTable(parsed);
  return { logicalShards: LOGICAL_SHARDS, primaries: parsed };
}
