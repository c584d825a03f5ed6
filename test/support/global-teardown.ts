import { rmSync } from 'node:fs';

/** Removes the run's synth cache made by global-setup.ts (not one the caller gave). */
export default function globalTeardown(): void {
  const dir = process.env.GRAMINSTA_SYNTH_CACHE_DIR;
  if (dir && process.env.GRAMINSTA_SYNTH_CACHE_OWNED === '1') rmSync(dir, { recursive: true, force: true });
}
