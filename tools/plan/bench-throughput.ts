import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from '../../contracts/bench-results';
import type { PerCoreThroughput } from './assumptions';

/** Where `npm run bench` writes its JSON. */
export const BENCH_RESULT_FILE = join(__dirname, '..', '..', 'bench', 'results', 'latest.json');

export interface ThroughputSource {
  readonly perCore: PerCoreThroughput;
  /** Which figures come from a benchmark run (and which run), which are defaults. */
  readonly measured: readonly (keyof PerCoreThroughput)[];
  readonly description: string;
}

/**
 * Per-core throughput for the plan: each figure from the benchmark JSON when
 * it holds a positive number for it, else the stated default. A file that
 * exists but is not a benchmark report is an error, not a silent fallback.
 */
export function loadPerCore(defaults: PerCoreThroughput, file: string = BENCH_RESULT_FILE): ThroughputSource {
  if (!existsSync(file)) return { perCore: defaults, measured: [], description: `defaults (no benchmark result at ${file})` };
  let report: BenchReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!report || typeof report !== 'object' || typeof report.perCore !== 'object' || report.perCore === null) {
    throw new Error(`${file} has no "perCore" object: is it a benchmark report?`);
  }
  const measured: (keyof PerCoreThroughput)[] = [];
  const perCore = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof PerCoreThroughput)[]) {
    const value = report.perCore[key];
    if (typeof value === 'number' && value > 0 && Number.isFinite(value)) {
      perCore[key] = value;
      measured.push(key);
    }
  }
  // Log-in is password hashing: without a clean log-in run, the measured hash rate per core stands in for it.
  const hashRate = report.hashing?.hashesPerSecondPerCore;
  if (!measured.includes('login') && typeof hashRate === 'number' && hashRate > 0) {
    perCore.login = hashRate;
    measured.push('login');
  }
  const description = `benchmark of ${report.generatedAt ?? 'unknown date'} on ${report.machine?.cpuModel ?? 'unknown CPU'} (${measured.length} of ${Object.keys(defaults).length} figures measured)`;
  return { perCore, measured, description };
}
