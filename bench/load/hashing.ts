import { randomBytes, scryptSync } from 'node:crypto';
import { PRODUCTION_COST } from '../../api/src/auth/passwords';

/**
 * Password hashes per second on ONE core: scrypt at the API's production
 * cost, synchronously on this thread for about `seconds` (log-in is
 * dominated by it; the API runs it on libuv's thread pool, several at once).
 */
export function hashesPerSecondPerCore(seconds = 3): { algorithm: string; hashesPerSecondPerCore: number } {
  const { N, r, p } = PRODUCTION_COST;
  const options = { N, r, p, maxmem: 256 * N * r };
  const salt = randomBytes(16);
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < seconds * 1000 || hashes < 2) {
    scryptSync('bench-password-1', salt, 64, options);
    hashes++;
  }
  return { algorithm: `scrypt N=${N} r=${r} p=${p}`, hashesPerSecondPerCore: hashes / ((performance.now() - started) / 1000) };
}
