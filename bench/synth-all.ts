import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_REGION_OPTIONS } from '../lib/app-options';
import { buildStageApp } from '../lib/build-app';
import { stageSpec, STAGE_NAMES } from '../stages/ladder';

// Builds and synthesizes every stage (10m with the example regions the tests use) in ONE process (as the tests and lib/synth.ts do) and prints
// one JSON line of timings. bench/synth-timing.ts runs it under a CPU profile.
const seconds = (since: number) => (performance.now() - since) / 1000;
const outRoot = mkdtempSync(join(tmpdir(), 'synth-all-'));
try {
  const started = performance.now();
  const stages = STAGE_NAMES.map((stage) => {
    const t0 = performance.now();
    const { app } = buildStageApp({ stage, outdir: join(outRoot, stage), ...(stageSpec(stage).regions ? EXAMPLE_REGION_OPTIONS : {}) });
    const constructSeconds = seconds(t0);
    const t1 = performance.now();
    app.synth();
    return { stage, constructSeconds, synthSeconds: seconds(t1) };
  });
  process.stdout.write(`${JSON.stringify({ totalSeconds: seconds(started), stages })}\n`);
} finally {
  rmSync(outRoot, { recursive: true, force: true });
}
