import { randomBytes, scryptSync } from 'node:crypto';
import { PRODUCTION_COST } from '../../api/src/auth/passwords';

/**
 * Password hashes per CPU second on ONE core: scrypt at the API's production
 * cost, synchronously on this thread for about `seconds` of CPU (log-in is
 * dominated by it; the API runs it on libuv's thread pool, several at once).
 */
export function hashesPerSecondPerCore(seconds = 3): { algorithm: string; hashesPerSecondPerCore: number } {
  const { N, r, p } = PRODUCTION_COST;
  const options = { N, r, p, maxmem: 256 * N * r };
  const salt = randomBytes(16);
  // CPU time, not wall time: on a shared machine the wall clock also counts the time other processes ran.
  const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
  const started = process.cpuUsage();
  let hashes = 0;
  while (cpuSeconds(process.cpuUsage(started)) < seconds || hashes < 2) {
    scryptSync('bench-password-1', salt, 64, options);
    hashes++;
  }
  return { algorithm: `scrypt N=${N} r=${r} p=${p}`, hashesPerSecondPerCore: hashes / cpuSeconds(process.cpuUsage(started)) };
}
