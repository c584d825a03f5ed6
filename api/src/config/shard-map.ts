import { LOGICAL_SHARDS } from '../lib/ids';

/**
 * One physical primary in the shard map: where it is (a Secrets Manager
 * secret in the cloud, a URL locally and in tests), its read replicas, and
 * the inclusive range of logical shards it owns.
 */
export interface ShardMapPrimarySpec {
  readonly secretArn?: string;
  readonly url?: string;
  readonly replicaHosts: readonly string[];
  readonly replicaUrls: readonly string[];
  readonly shards: readonly [number, number];
}

/** The shard map JSON (`SHARD_MAP` or the SSM parameter named by `SHARD_MAP_PARAMETER`). */
export interface ShardMapSpec {
  readonly logicalShards: number;
  readonly primaries: readonly ShardMapPrimarySpec[];
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

const ALLOWED_KEYS = new Set(['secretArn', 'url', 'replicaHosts', 'replicaUrls', 'shards']);

/**
 * Parses and validates a shard map: the logical shard count must be the one
 * baked into every ID, and the primaries' ranges must cover every logical
 * shard exactly once (a gap would make rows unreachable, an overlap would make
 * an ID's owner ambiguous).
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
    const { secretArn, url, shards } = record;
    if ((secretArn === undefined) === (url === undefined)) fail(`${where} needs exactly one of secretArn or url`);
    if (secretArn !== undefined && (typeof secretArn !== 'string' || !secretArn.startsWith('arn:'))) fail(`${where}.secretArn must be an ARN`);
    if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url))) fail(`${where}.url must be a postgres:// URL`);
    if (
      !Array.isArray(shards) ||
      shards.length !== 2 ||
      !shards.every((n) => Number.isInteger(n) && n >= 0 && n < LOGICAL_SHARDS) ||
      shards[0] > shards[1]
    ) {
      fail(`${where}.shards must be [first, last] with 0 <= first <= last < ${LOGICAL_SHARDS}`);
    }
    return {
      secretArn: secretArn as string | undefined,
      url: url as string | undefined,
      replicaHosts: stringArray(record.replicaHosts, `${where}.replicaHosts`),
      replicaUrls: stringArray(record.replicaUrls, `${where}.replicaUrls`),
      shards: [shards[0], shards[1]],
    };
  });
  const sorted = [...parsed].sort((a, b) => a.shards[0] - b.shards[0]);
  let next = 0;
  for (const primary of sorted) {
    if (primary.shards[0] > next) fail(`logical shards ${next}-${primary.shards[0] - 1} belong to no primary`);
    if (primary.shards[0] < next) fail(`logical shard ${primary.shards[0]} belongs to more than one primary`);
    next = primary.shards[1] + 1;
  }
  if (next !== LOGICAL_SHARDS) fail(`logical shards ${next}-${LOGICAL_SHARDS - 1} belong to no primary`);
  return { logicalShards: LOGICAL_SHARDS, primaries: parsed };
}
