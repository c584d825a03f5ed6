/**
 * `npm run bench -- --profile`: where each scenario's CPU goes, the API's
 * and its baseline's. Each scenario gets its own copy of its server (same settings, data, Redis and
 * sessions) started under `node --cpu-prof`, driven as the measurement drives
 * it (warm-up, then the run), then stopped; its profile is summarized through
 * the bundle's source map (cpu-profile.ts). One process per scenario, so a
 * profile holds exactly one scenario's requests (plus the process's start
 * and stop, left out by the samples' time stamps).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEnvironment } from '../environment';
import { runLoad } from '../load/run-load';
import type { Scenario } from '../scenarios';
import { type ProfileSummary, readCpuProfile, summarizeProfile } from './cpu-profile';

export interface ScenarioProfile {
  readonly scenario: Pick<Scenario, 'id' | 'title' | 'connections' | 'side' | 'baselineId'>;
  readonly requests: number;
  readonly errors: number;
  /** Threads profiled (the main thread and its worker threads). */
  readonly threads: number;
  readonly summary: ProfileSummary;
}

export interface ProfileOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** Where the raw `.cpuprofile` files go (the run's own directory: they are large and not kept). */
  readonly dir: string;
  readonly log: (line: string) => void;
}

export async function profileScenarios(env: BenchEnvironment, scenarios: readonly Scenario[], o: ProfileOptions): Promise<ScenarioProfile[]> {
  const profiles: ScenarioProfile[] = [];
  // Baselines too: the same requests without the framework show which costs are the API's own.
  for (const scenario of scenarios) {
    const dir = join(o.dir, scenario.id);
    mkdirSync(dir, { recursive: true });
    const copy = await env.spawnCopy(scenario.server, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    let requests = 0;
    let errors = 0;
    let window: { fromUs: number; toUs: number } | undefined;
    try {
      const load = { url: copy.url, method: scenario.method, connections: scenario.connections, timeoutSeconds: scenario.timeoutSeconds, next: scenario.next };
      if (o.warmupSeconds > 0) await runLoad({ ...load, durationSeconds: o.warmupSeconds });
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const figures = await runLoad({ ...load, durationSeconds: Math.max(o.durationSeconds, scenario.minDurationSeconds ?? 0) });
      window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
      requests = Math.round(figures.requestsPerSecond * Math.max(o.durationSeconds, scenario.minDurationSeconds ?? 0));
      errors = figures.errors;
    } finally {
      // SIGTERM: the API drains and exits 0, and V8 writes the profile on the way out.
      await copy.stop();
    }
    // One file per thread (the main thread and each worker thread, such as the logger's): all are the process's CPU.
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) throw new Error(`${scenario.id}: no CPU profile in ${dir} (did the server exit cleanly?)`);
    // Only the measured run: the process's start (module loading, the start-up password hash) and the warm-up are left out.
    const summary = summarizeProfile(files.map((f) => readCpuProfile(join(dir, f))), { window });
    o.log(`${scenario.id.padEnd(26)} profiled: ${requests} requests, ${summary.busyMs.toFixed(0)} ms on CPU${errors ? `, ${errors} ERRORS` : ''}; top: ${summary.categories.slice(0, 3).map((c) => `${c.name} ${(c.share * 100).toFixed(0)}%`).join(', ')}`);
    profiles.push({ scenario: { id: scenario.id, title: scenario.title, connections: scenario.connections, side: scenario.side, baselineId: scenario.baselineId }, requests, errors, threads: files.length, summary });
  }
  return profiles;
}
