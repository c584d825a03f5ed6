import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs once before any test file; workers are started after it, so they
 * inherit what it puts in `process.env`.
 *
 * - One temporary directory for the whole run, made the test processes'
 *   TMPDIR and removed by global-teardown.ts. Everything a test leaves in the
 *   OS temp dir goes there: the `cdk.out*` directories of apps synthesized
 *   without an outdir (tens of MB each with their Lambda and site assets),
 *   embedded PostgreSQL data directories, s3rver buckets, bundles. Without it
 *   a full run left about 1 GB behind in /tmp.
 * - Under it, the cache in which lib/synth.ts shares each stage's synthesized
 *   templates between workers and test files: synthesizing a stage takes
 *   seconds, and half a dozen test files read every stage.
 */
export default function globalSetup(): void {
  const runDir = mkdtempSync(join(tmpdir(), 'graminsta-test-run-'));
  // Like /tmp: embedded PostgreSQL runs as the `postgres` user when the tests run as root.
  chmodSync(runDir, 0o1777);
  process.env.GRAMINSTA_TEST_TMPDIR = runDir;
  process.env.TMPDIR = runDir;
  // A cache the caller gave (to keep between runs) is left alone.
  if (!process.env.GRAMINSTA_SYNTH_CACHE_DIR) {
    const cache = join(runDir, 'synth-cache');
    mkdirSync(cache, { recursive: true });
    process.env.GRAMINSTA_SYNTH_CACHE_DIR = cache;
  }
}
