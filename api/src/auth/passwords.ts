import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHashCost } from '../config/env-config';

/**
 * scrypt from node:crypto (no native module in the bundle). Production cost per
 * OWASP: N=2^17, r=8, p=1, 16-byte salt, 64-byte key (128 MiB, ~0.3 s per hash
 * on one core). The parameters are stored with each hash, so raising them later
 * still verifies old hashes. Format: `scrypt$N$r$p$salt(base64)$key(base64)`.
 */
export const PRODUCTION_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Only through PASSWORD_HASH_COST=test, which the stacks never set: keeps test suites fast. */
export const TEST_COST = { N: 2 ** 10, r: 8, p: 1 } as const;

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Runs scrypt: in-process here (tools, tests); the API passes its worker-thread pool (password-hasher.ts). */
export type DeriveKey = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) => Promise<Buffer>;

/**
 * node:crypto's scrypt on the libuv threadpool, which file reads share: fine
 * for tools and tests, not for the API under a burst of log-ins.
 */
export const deriveOnThreadpool: DeriveKey = (password, salt, keyLength, options) =>
  new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));

function derive(password: string, salt: Buffer, cost: ScryptCost, deriveKey: DeriveKey): Promise<Buffer> {
  // maxmem must exceed 128 * N * r bytes, or node refuses the parameters.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return deriveKey(password.normalize('NFKC'), salt, KEY_LENGTH, options);
}

export async function hashPassword(password: string, costName: PasswordHashCost = 'production', deriveKey: DeriveKey = deriveOnThreadpool): Promise<string> {
  const cost = costName === 'test' ? TEST_COST : PRODUCTION_COST;
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost, deriveKey);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The cost parameters recorded in a stored hash. */
export function hashCost(stored: string): { N: number; r: number; p: number } {
  const [, N, r, p] = stored.split('$');
  return { N: Number(N), r: Number(r), p: Number(p) };
}

export async function verifyPassword(password: string, stored: string, deriveKey: DeriveKey = deriveOnThreadpool): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, N, r, p, saltB64, keyB64] = parts;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await derive(password, Buffer.from(saltB64, 'base64'), { N: Number(N), r: Number(r), p: Number(p) }, deriveKey);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
