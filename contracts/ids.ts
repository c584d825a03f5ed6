/**
 * 64-bit, time-ordered IDs that carry their logical shard (Instagram-style):
 *
 *     | 41 bits: ms since ID_EPOCH | 12 bits: logical shard | 10 bits: sequence |
 *
 * 41 + 12 + 10 = 63 bits, so every ID is a positive PostgreSQL `bigint`. 12
 * shard bits match the 1m stage's `logicalShards: 4096`; the layout is fixed
 * forever because every stored ID depends on it. IDs are made by the SQL
 * function `graminsta_next_id(shard)` (migration 1) on the primary that owns
 * the shard, whose sequence makes them unique there; this module decodes them
 * and picks shards.
 *
 * Shared by api/ (routing every read and write), stages/ (the 1m stage's
 * shard count), tools/reshard and bench/ (placing and generating rows);
 * imports nothing.
 */
export const ID_EPOCH_MS = Date.UTC(2026, 0, 1);
export const SHARD_BITS = 12;
export const SEQUENCE_BITS = 10;
export const LOGICAL_SHARDS = 1 << SHARD_BITS;

const MAX_ID = (1n << 63n) - 1n;

/**
 * The largest ID as SQL text: the cursor bound of a first page, `id <
 * COALESCE($n, NO_CURSOR)` (no ID reaches it). The API prepares its
 * statements, so PostgreSQL may run one generic plan for every cursor:
 * written `$n IS NULL OR id < $n` the bound is a filter there and a deep
 * page walks the author's whole index range from the newest photo; as
 * COALESCE it stays an index condition. The benchmark's baseline sends the
 * same statements.
 */
export const NO_CURSOR = MAX_ID.toString();

/** Parses a decimal ID string; `undefined` for anything that is not a positive 63-bit integer. */
export function parseId(value: string): bigint | undefined {
  if (!/^[1-9]\d{0,18}$/.test(value)) return undefined;
  const id = BigInt(value);
  return id <= MAX_ID ? id : undefined;
}

/** The logical shard an ID belongs to. */
export function shardOfId(id: bigint | string): number {
  return Number((BigInt(id) >> BigInt(SEQUENCE_BITS)) & BigInt(LOGICAL_SHARDS - 1));
}

/** Milliseconds since the Unix epoch at which an ID was made. */
export function timeOfId(id: bigint | string): number {
  return Number(BigInt(id) >> BigInt(SHARD_BITS + SEQUENCE_BITS)) + ID_EPOCH_MS;
}

/** Builds an ID from its parts (the SQL function does the same; tests compare them). */
export function composeId(ms: number, shard: number, sequence: number): bigint {
  return (
    (BigInt(ms - ID_EPOCH_MS) << BigInt(SHARD_BITS + SEQUENCE_BITS)) |
    (BigInt(shard) << BigInt(SEQUENCE_BITS)) |
    BigInt(sequence & ((1 << SEQUENCE_BITS) - 1))
  );
}

/**
 * The logical shard of a new user: a hash of the username, so that log-in can
 * find the owning primary from the username alone, and usernames stay unique
 * with a per-primary unique index (one username always lands on one shard).
 * FNV-1a 32-bit: stable across processes and versions, unlike a random pick.
 */
export function shardForUsername(username: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < username.length; i++) {
    hash ^= username.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % LOGICAL_SHARDS;
}

/**
 * Newest first, for `Array.prototype.sort`: IDs as the database returns them
 * (decimal, no sign, no leading zeros), so a longer string is a larger ID and
 * equal lengths compare as text. No BigInt per comparison: sorting a merged
 * feed page that way was 6 % of the fan-out feed's CPU (issue 18).
 */
export function compareIdsNewestFirst(a: string, b: string): number {
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? 1 : a > b ? -1 : 0;
}

