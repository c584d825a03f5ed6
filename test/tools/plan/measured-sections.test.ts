import type { BenchReport } from '../../../contracts/bench-results';
import { renderBenchSection, renderGuardCost, renderShardLayoutSection, renderSynthSection } from '../../../tools/plan/measured-sections';

const result = (id: string, side: 'api' | 'baseline', rps: number, extra = {}) => ({
  id, title: id, side, method: 'GET', path: '/', connections: 10, durationSeconds: 10, requests: rps * 10, requestsPerSecond: rps,
  latencyMs: { p50: 1, p99: 30, mean: 2, max: 40 }, errors: 0, errorKinds: {}, rounds: 2,
  cpu: { serverMsPerRequest: 0.1, postgresMsPerRequest: 0, redisMsPerRequest: 0, requestsPerServerCoreSecond: 10_000 }, ...extra,
});

describe('measured sections of docs/capacity.md', () => {
  test('say how to produce a missing result instead of inventing one', () => {
    expect(renderBenchSection(undefined)).toMatch(/npm run bench/);
    expect(renderSynthSection(undefined)).toMatch(/synth-timing/);
  });

  test('show each API figure with its baseline, ratio and whether its target was met', () => {
    const report: BenchReport = {
      generatedAt: '2026-11-25T23:00:00Z',
      machine: { cpus: 2, cpuModel: 'X', node: 'v20', platform: 'linux', loadAverage: [1, 1, 1] },
      dataSet: { users: 100_000, photos: 1_000_000, follows: 2_000_000 },
      results: [result('baseline-http', 'baseline', 10_000), result('api-user-cached', 'api', 7_000, { baselineId: 'baseline-http', ratio: 0.7, target: { text: '≥ 80% of bare node:http', met: false } })],
      perCore: {},
      notes: [],
    };
    const text = renderBenchSection(report);
    expect(text).toContain('| api-user-cached | 10 | 7,000 | 1 / 30 | 10,000 | 70% | **not met** (≥ 80% of bare node:http) |');
    expect(text).not.toContain('| baseline-http |');
  });

  test('a target whose input was missing from the run reads as not measured, never as met', () => {
    const report: BenchReport = {
      generatedAt: '2026-12-05T09:00:00Z',
      machine: { cpus: 2, cpuModel: 'X', node: 'v20', platform: 'linux', loadAverage: [1, 1, 1] },
      dataSet: { users: 100_000, photos: 1_000_000, follows: 2_000_000 },
      results: [result('api-feed-fanout-c10', 'api', 500, { target: { text: "API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's", met: false, verdict: 'not measured', checks: [] } })],
      perCore: {},
      notes: [],
    };
    expect(renderBenchSection(report)).toContain("| api-feed-fanout-c10 | 10 | 500 | 1 / 30 |  |  | **not measured** (API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's) |");
  });

  test('the shard-layout section states each ratio, says how to produce a missing result, and keeps twins out of the API table', () => {
    expect(renderShardLayoutSection(undefined)).toMatch(/npm run bench:shards/);
    const report: BenchReport = {
      generatedAt: '2026-11-26T01:00:00Z',
      machine: { cpus: 2, cpuModel: 'X', node: 'v20', platform: 'linux', loadAverage: [1, 1, 1] },
      dataSet: { users: 100_000, photos: 1_000_000, follows: 2_000_000 },
      results: [
        result('api-feed-c10', 'api', 600),
        result('api-feed-c10-shards', 'api', 450, { comparesWith: 'api-feed-c10', layoutRatio: { requestsPerSecond: 0.75, p99: 1.2 }, latencyMs: { p50: 1, p99: 36, mean: 2, max: 40 } }),
      ],
      perCore: {},
      notes: [],
      shardLayout: { servers: [{ name: 'primary-0', shards: [0, 2047], rows: { users: 50_000, photos: 500_000 } }, { name: 'primary-1', shards: [2048, 4095], rows: { users: 50_000, photos: 500_000 } }] },
    };
    const text = renderShardLayoutSection(report);
    expect(text).toContain('| api-feed-c10 | 10 | 600 → 450 | 75% | 30 → 36 | 120% | 0.10 → 0.10 | 0.00 → 0.00 |');
    expect(text).not.toMatch(/busy with other work/);
    expect(text).toContain('primary-1 owns logical shards 2048-4095 (50,000 users, 500,000 photos)');
    expect(text).toMatch(/share the same 2 cores/);
    expect(renderBenchSection(report)).not.toContain('api-feed-c10-shards');
  });

  test('the guard cost sentence gives each mode over the trigger-off figure', () => {
    expect(renderGuardCost(undefined)).toMatch(/bench\/guard-cost\.ts/);
    const text = renderGuardCost({
      generatedAt: 'then', writes: 5000, loadAverage: [1, 1, 1],
      results: [
        { mode: 'trigger off', microsecondsPerWrite: 400, rounds: [400, 410, 390] },
        { mode: 'guard, no move', microsecondsPerWrite: 420, rounds: [420, 420, 420] },
        { mode: 'guard, shard copying', microsecondsPerWrite: 480, rounds: [480, 480, 480] },
      ],
    });
    expect(text).toContain('took 400 µs of PostgreSQL CPU with the trigger off, 20 µs (5%) more with the guard on and no move in progress, and 80 µs (20%) more while the shard is being copied');
    expect(text).toContain('median of 3 rounds of 5000 transactions');
  });
});
