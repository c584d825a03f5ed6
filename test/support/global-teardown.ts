import { rmSync } from 'node:fs';

/** Removes the run's temporary directory made by global-setup.ts (with the synth cache inside it). */
export default function globalTeardown(): void {
  const dir = process.env.GRAMINSTA_TEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
