import { createHash, randomBytes } from 'node:crypto';
import { LOGICAL_SHARDS } from '../../../contracts/ids';

/** Bytes of randomness in every token (256 bits). */
const RANDOM_BYTES = 32;
/** A token made before tokens carried a shard: 32 random bytes, base64url. */
const LEGACY_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** 2 bytes of logical shard (big-endian) + 32 random bytes, base64url. */
const SHARD_TOKEN = /^[A-Za-z0-9_-]{46}$/;

/**
 * A new session token carrying its user's logical shard (docs/sharding.md), so the
 * database session store can find the session's server without a lookup
 * table: 2 bytes shard (big-endian) + 32 random bytes, base64url, 46
 * characters. The shard is not a secret and grants nothing: a session is
 * found by the SHA-256 of the whole token.
 */
export function newToken(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= LOGICAL_SHARDS) throw new RangeError(`logical shard ${shard} out of range`);
  const bytes = Buffer.alloc(2 + RANDOM_BYTES);
  bytes.writeUInt16BE(shard, 0);
  randomBytes(RANDOM_BYTES).copy(bytes, 2);
  return bytes.toString('base64url');
}

/**
 * The logical shard a token names; `undefined` for a legacy 43-character
 * token (its session lives on the first primary) or a malformed one.
 */
export function shardOfToken(token: string): number | undefined {
  if (!SHARD_TOKEN.test(token)) return undefined;
  const shard = Buffer.from(token, 'base64url').readUInt16BE(0);
  return shard < LOGICAL_SHARDS ? shard : undefined;
}

/** Tokens are looked up by hash, so a leaked session table or Redis dump holds no usable token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Shape check before any lookup: a malformed token (or one naming a shard that cannot exist) never reaches a store. */
export function isWellFormedToken(token: string): boolean {
  return LEGACY_TOKEN.test(token) || shardOfToken(token) !== undefined;
}
