import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One directory for the whole Jest run in which lib/synth.ts shares each
 * stage's synthesized templates between workers and test files: synthesizing a
 * stage takes seconds, and half a dozen test files read every stage.
 * Workers are started after this runs, so they inherit the variable.
 */
export default function globalSetup(): void {
  if (!process.env.GRAMINSTA_SYNTH_CACHE_DIR) {
    process.env.GRAMINSTA_SYNTH_CACHE_DIR = mkdtempSync(join(tmpdir(), 'graminsta-synth-cache-'));
    process.env.GRAMINSTA_SYNTH_CACHE_OWNED = '1';
  }
}
