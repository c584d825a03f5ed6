import type { LoadFigures } from '../load/run-load';
import type { MeasuredPerCore, ScenarioResult } from '../../contracts/bench-results';
import type { Scenario } from '../scenarios';
import { judgeTarget } from './targets';

/** One measured run of one scenario. */
export interface RunRecord {
  readonly scenarioId: string;
  readonly round: number;
  readonly durationSeconds: number;
  readonly figures: LoadFigures;
  readonly cpuSeconds: { readonly server: number; readonly postgres: number; readonly redis: number };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Requests per API CPU second over the baseline's (the report's per-core ratio); undefined where
 * either process used no measurable CPU.
 */
export function perCoreRatio(result: ScenarioResult, baseline: ScenarioResult): number | undefined {
  const base = baseline.cpu.requestsPerServerCoreSecond;
  return base > 0 && result.cpu.requestsPerServerCoreSecond > 0 ? result.cpu.requestsPerServerCoreSecond / base : undefined;
}

/** API + PostgreSQL CPU milliseconds per request: what one request costs the machine, whoever does the work. */
const cpuSumMs = (r: ScenarioResult) => r.cpu.serverMsPerRequest + r.cpu.postgresMsPerRequest;

/**
 * Medians over rounds per scenario, then each API figure as a ratio to its
 * baseline's median req/s, targets checked on those medians. CPU per request
 * is total CPU over total requests of all rounds. A shard-layout scenario
 * gets its req/s and p99 over its one-server twin's (`layoutRatio`); a
 * scenario that `comparesCpuWith` another gets both CPU sums and their ratio
 * (`cpuComparison`) when the other ran. A baseline or reference that failed
 * requests gives its targets no input: they are not measured, never met.
 */
export function summarize(scenarios: readonly Scenario[], records: readonly RunRecord[]): ScenarioResult[] {
  const base = scenarios.map((scenario) => {
    const runs = records.filter((r) => r.scenarioId === scenario.id);
    if (runs.length === 0) throw new Error(`no runs recorded for ${scenario.id}`);
    const requests = runs.reduce((s, r) => s + r.figures.requests, 0);
    const cpu = (part: 'server' | 'postgres' | 'redis') => runs.reduce((s, r) => s + r.cpuSeconds[part], 0);
    const perRequestMs = (part: 'server' | 'postgres' | 'redis') => (requests > 0 ? (cpu(part) * 1000) / requests : 0);
    return {
      id: scenario.id,
      title: scenario.title,
      side: scenario.side,
      method: scenario.method,
      path: scenario.path,
      connections: scenario.connections,
      durationSeconds: runs[0].durationSeconds,
      requests,
      requestsPerSecond: median(runs.map((r) => r.figures.requestsPerSecond)),
      latencyMs: {
        p50: median(runs.map((r) => r.figures.latencyMs.p50)),
        p99: median(runs.map((r) => r.figures.latencyMs.p99)),
        mean: median(runs.map((r) => r.figures.latencyMs.mean)),
        max: Math.max(...runs.map((r) => r.figures.latencyMs.max)),
      },
      errors: runs.reduce((s, r) => s + r.figures.errors, 0),
      errorKinds: runs.reduce<Record<string, number>>((kinds, r) => {
        for (const [kind, n] of Object.entries(r.figures.errorKinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
        return kinds;
      }, {}),
      rounds: runs.length,
      cpu: {
        serverMsPerRequest: perRequestMs('server'),
        postgresMsPerRequest: perRequestMs('postgres'),
        redisMsPerRequest: perRequestMs('redis'),
        requestsPerServerCoreSecond: cpu('server') > 0 ? requests / cpu('server') : 0,
      },
    } satisfies ScenarioResult;
  });
  return base.map((result, i) => {
    const scenario = scenarios[i];
    const baseline = scenario.baselineId ? base.find((b) => b.id === scenario.baselineId) : undefined;
    const ratio = baseline && baseline.requestsPerSecond > 0 ? result.requestsPerSecond / baseline.requestsPerSecond : undefined;
    const reference = scenario.comparesCpuWith ? base.find((b) => b.id === scenario.comparesCpuWith) : undefined;
    const cpuComparison =
      reference && result.requests > 0 && reference.requests > 0 && cpuSumMs(reference) > 0
        ? { scenarioId: reference.id, msPerRequest: cpuSumMs(result), referenceMsPerRequest: cpuSumMs(reference), ratio: cpuSumMs(result) / cpuSumMs(reference) }
        : undefined;
    const cleanBaseline = baseline && baseline.errors === 0 ? baseline : undefined;
    const target = scenario.target
      ? judgeTarget(scenario.target, {
          errors: result.errors,
          p99Ms: result.latencyMs.p99,
          ratio: cleanBaseline ? ratio : undefined,
          perCoreRatio: cleanBaseline ? perCoreRatio(result, cleanBaseline) : undefined,
          cpuSumRatio: cpuComparison && reference?.errors === 0 ? cpuComparison.ratio : undefined,
          comparesCpuWith: scenario.comparesCpuWith,
        })
      : undefined;
    const one = scenario.comparesWith ? base.find((b) => b.id === scenario.comparesWith) : undefined;
    if (scenario.comparesWith && !one) throw new Error(`${scenario.id} compares with ${scenario.comparesWith}, which did not run`);
    const layout = one
      ? {
          comparesWith: one.id,
          layoutRatio: {
            requestsPerSecond: one.requestsPerSecond > 0 ? result.requestsPerSecond / one.requestsPerSecond : 0,
            p99: one.latencyMs.p99 > 0 ? result.latencyMs.p99 / one.latencyMs.p99 : 0,
          },
        }
      : {};
    return { ...result, ...(baseline ? { baselineId: baseline.id, ratio } : {}), ...(target ? { target } : {}), ...(cpuComparison ? { cpuComparison } : {}), ...layout };
  });
}

/** The capacity plan's per-core figures: requests per CPU second of the API process, for the scenarios that measure one. */
export function perCoreFigures(scenarios: readonly Scenario[], results: readonly ScenarioResult[]): Partial<MeasuredPerCore> {
  const out: Partial<Record<keyof MeasuredPerCore, number>> = {};
  for (const scenario of scenarios) {
    if (!scenario.perCore) continue;
    const result = results.find((r) => r.id === scenario.id)!;
    // A run with errors measured something else (429s, 500s): it gives no figure.
    if (result.errors === 0 && result.cpu.requestsPerServerCoreSecond > 0) out[scenario.perCore] = result.cpu.requestsPerServerCoreSecond;
  }
  return out;
}
