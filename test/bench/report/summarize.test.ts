import { median, perCoreFigures, type RunRecord, summarize } from '../../../bench/report/summarize';
import { renderMarkdown } from '../../../bench/report/markdown';
import type { BenchReport } from '../../../contracts/bench-results';
import { runOrder, selectScenarios } from '../../../bench/run';
import type { Scenario } from '../../../bench/scenarios';

const scenario = (id: string, side: 'api' | 'baseline', extra: Partial<Scenario> = {}): Scenario => ({
  id, title: id, side, server: side === 'api' ? 'api-cache' : 'http-baseline', method: 'GET', path: '/', connections: 10, next: () => ({ path: '/' }), ...extra,
});

const record = (scenarioId: string, round: number, rps: number, p99: number, serverCpu: number, errors = 0): RunRecord => ({
  scenarioId, round, durationSeconds: 10,
  figures: { requests: rps * 10, requestsPerSecond: rps, latencyMs: { p50: 1, p99, mean: 1, max: p99 + 1 }, errors, errorKinds: errors ? { '500': errors } : {} },
  cpuSeconds: { server: serverCpu, postgres: serverCpu / 2, redis: 0 },
});

describe('benchmark summary', () => {
  const base = scenario('baseline-http', 'baseline');
  const api = scenario('api-user-cached', 'api', {
    baselineId: 'baseline-http', perCore: 'userCached',
    target: [{ measure: 'req/s', atLeast: 0.8 }, { measure: 'per-core', atLeast: 0.7 }],
  });

  test('median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  test('figures are medians over rounds, the ratio is against the baseline median, targets are checked on them', () => {
    const results = summarize([base, api], [
      record('baseline-http', 0, 1000, 5, 5), record('baseline-http', 1, 1200, 7, 5), record('baseline-http', 2, 1100, 6, 5),
      record('api-user-cached', 0, 900, 9, 10), record('api-user-cached', 1, 850, 8, 10), record('api-user-cached', 2, 990, 9, 10),
    ]);
    const a = results.find((r) => r.id === 'api-user-cached')!;
    expect(a.requestsPerSecond).toBe(900);
    expect(a.latencyMs.p99).toBe(9);
    expect(a.ratio).toBeCloseTo(900 / 1100, 12);
    // 27 400 requests over 30 CPU seconds, the baseline's 33 000 over 15.
    expect(a.cpu.requestsPerServerCoreSecond).toBeCloseTo(27_400 / 30, 9);
    expect(a.target).toMatchObject({ text: 'req/s ≥ 80% of baseline and per-core ≥ 70% of baseline', met: false, verdict: 'not met' });
    expect(a.target!.checks!.map((c) => [c.measure, c.verdict, c.value])).toEqual([
      ['req/s', 'met', 900 / 1100],
      ['per-core', 'not met', 27_400 / 30 / (33_000 / 15)],
    ]);
    expect(a.cpu.serverMsPerRequest).toBeCloseTo((30 * 1000) / 27_400, 9);
  });

  test('a run with errors fails its target and gives no per-core figure', () => {
    const scenarios = [base, api];
    const results = summarize(scenarios, [record('baseline-http', 0, 1000, 5, 5), record('api-user-cached', 0, 1000, 5, 5, 3)]);
    const a = results.find((r) => r.id === 'api-user-cached')!;
    expect(a.errors).toBe(3);
    expect(a.errorKinds).toEqual({ '500': 3 });
    expect(a.target!.met).toBe(false);
    expect(perCoreFigures(scenarios, results)).toEqual({});
  });

  test('each API scenario runs next to its baseline, order swapped every round', () => {
    const other = scenario('api-other', 'api');
    const order0 = runOrder([base, api, other], 0).map((s) => s.id);
    const order1 = runOrder([base, api, other], 1).map((s) => s.id);
    expect(order0).toEqual(['baseline-http', 'api-user-cached', 'api-other']);
    expect(order1).toEqual(['api-user-cached', 'baseline-http', 'api-other']);
  });

  describe('targets on the run\'s summaries', () => {
    const report = (results: BenchReport['results']): BenchReport => ({
      generatedAt: 'now', machine: { cpus: 2, cpuModel: 'cpu', node: 'v20', platform: 'linux', loadAverage: [1, 1, 1] },
      dataSet: { users: 10, photos: 10, follows: 10 }, results, perCore: {}, notes: [],
    });
    // API and PostgreSQL CPU seconds per run: the pull feed 3 + 4 for 1000 requests, the fan-out feed 1 + 1.5 for 1000.
    const feedRecord = (scenarioId: string, server: number, postgres: number, errors = 0): RunRecord => ({
      ...record(scenarioId, 0, 100, 20, server, errors), cpuSeconds: { server, postgres, redis: 0.5 },
    });
    const pull = scenario('api-feed-c10', 'api', { target: [{ measure: 'p99', belowMs: 25 }, { measure: 'req/s', atLeast: 0.9 }], baselineId: 'baseline-pg-feed-c10' });
    const pullBase = scenario('baseline-pg-feed-c10', 'baseline', { server: 'pg-baseline' });
    const fanout = scenario('api-feed-fanout-c10', 'api', { server: 'api-queue', comparesCpuWith: 'api-feed-c10', target: [{ measure: 'CPU sum', atMost: 0.5 }] });

    test('the fan-out feed\'s API + PostgreSQL CPU per request is compared with the pull feed\'s of the same run, and the report shows both sums', () => {
      const results = summarize([pullBase, pull, fanout], [record('baseline-pg-feed-c10', 0, 100, 20, 1), feedRecord('api-feed-c10', 3, 4), feedRecord('api-feed-fanout-c10', 1, 1.5)]);
      const f = results.find((r) => r.id === 'api-feed-fanout-c10')!;
      expect(f.cpuComparison!.scenarioId).toBe('api-feed-c10');
      // Redis CPU is not part of the sum: 2.5 ms against 7 ms.
      expect(f.cpuComparison!.msPerRequest).toBeCloseTo(2.5, 9);
      expect(f.cpuComparison!.referenceMsPerRequest).toBeCloseTo(7, 9);
      expect(f.cpuComparison!.ratio).toBeCloseTo(2.5 / 7, 9);
      expect(f.target).toMatchObject({ verdict: 'met', met: true, text: "API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's" });
      const md = renderMarkdown(report(results));
      expect(md).toContain("- api-feed-fanout-c10: 2.500 ms vs api-feed-c10: 7.000 ms = 36% (API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's: met (36%))");
      expect(md).toMatch(/\| API \+ PostgreSQL CPU\/req ≤ 50% of api-feed-c10's: met \(36%\) \|/);
    });

    test('without the pull feed in the run (--only fanout) the fan-out target is not measured, and no comparison is shown', () => {
      const results = summarize([fanout], [feedRecord('api-feed-fanout-c10', 1, 1.5)]);
      const f = results[0];
      expect(f.cpuComparison).toBeUndefined();
      expect(f.target).toMatchObject({ verdict: 'not measured', met: false });
      const md = renderMarkdown(report(results));
      expect(md).toMatch(/\| API \+ PostgreSQL CPU\/req ≤ 50% of api-feed-c10's: \*\*not measured\*\* \|/);
      expect(md).not.toMatch(/CPU per request, API \+ PostgreSQL, against/);
    });

    test('a pull feed that failed requests is no reference: the fan-out target is not measured', () => {
      const results = summarize([pull, fanout], [feedRecord('api-feed-c10', 3, 4, 2), feedRecord('api-feed-fanout-c10', 1, 1.5)]);
      expect(results.find((r) => r.id === 'api-feed-fanout-c10')!.target!.verdict).toBe('not measured');
    });

    test('a baseline that did not run or failed requests leaves its ratios unmeasured; a figure of the scenario\'s own is still judged', () => {
      const alone = summarize([pull], [feedRecord('api-feed-c10', 3, 4)])[0];
      expect(alone.target!.checks!.map((c) => [c.text, c.verdict])).toEqual([['p99 < 25 ms', 'met'], ['req/s ≥ 90% of baseline', 'not measured']]);
      expect(alone.target!.verdict).toBe('not measured');
      const failedBase = summarize([pullBase, pull], [record('baseline-pg-feed-c10', 0, 100, 20, 1, 5), feedRecord('api-feed-c10', 3, 4)]);
      expect(failedBase.find((r) => r.id === 'api-feed-c10')!.target!.verdict).toBe('not measured');
      expect(renderMarkdown(report(failedBase))).toMatch(/p99 < 25 ms: met \(20\.0 ms\); req\/s ≥ 90% of baseline: \*\*not measured\*\* \|/);
    });

    test('a report written before checks renders its one verdict as it did', () => {
      const old = summarize([base, api], [record('baseline-http', 0, 1000, 5, 5), record('api-user-cached', 0, 700, 5, 5)]).map((r) =>
        r.target ? { ...r, target: { text: '≥ 80% of bare node:http', met: false } } : r,
      );
      expect(renderMarkdown(report(old))).toMatch(/\| 70% \| \*\*not met\*\*: ≥ 80% of bare node:http \| [0-9.]+ \| 70% \|/);
    });
  });

  describe('shard layout', () => {
    const feedBase = scenario('baseline-pg-feed-c10', 'baseline', { server: 'pg-baseline' });
    const feed = scenario('api-feed-c10', 'api', { baselineId: 'baseline-pg-feed-c10' });
    const twin = scenario('api-feed-c10-shards', 'api', { server: 'api-cache-shards', comparesWith: 'api-feed-c10' });
    const all = [base, api, feedBase, feed, twin];

    test('the twin runs right after its one-server scenario, the group reversed every other round', () => {
      expect(runOrder(all, 0).map((s) => s.id)).toEqual(['baseline-http', 'api-user-cached', 'baseline-pg-feed-c10', 'api-feed-c10', 'api-feed-c10-shards']);
      expect(runOrder(all, 1).map((s) => s.id)).toEqual(['api-user-cached', 'baseline-http', 'api-feed-c10-shards', 'api-feed-c10', 'baseline-pg-feed-c10']);
    });

    test('--only keeps what each selected figure is compared with, and the twins of what it selects', () => {
      expect(selectScenarios(all, 'feed').map((s) => s.id)).toEqual(['baseline-pg-feed-c10', 'api-feed-c10', 'api-feed-c10-shards']);
      expect(selectScenarios(all, 'shards').map((s) => s.id)).toEqual(['baseline-pg-feed-c10', 'api-feed-c10', 'api-feed-c10-shards']);
      expect(selectScenarios(all, 'nothing, cached').map((s) => s.id)).toEqual(['baseline-http', 'api-user-cached']);
      expect(() => selectScenarios(all, 'nothing')).toThrow(/--only nothing matches no scenario/);
    });

    test('the layout ratio is the twin over its one-server scenario, for req/s and p99, and the report states it', () => {
      const results = summarize(all, [
        record('baseline-http', 0, 1000, 5, 5), record('api-user-cached', 0, 900, 9, 10),
        record('baseline-pg-feed-c10', 0, 400, 40, 5), record('api-feed-c10', 0, 300, 50, 5), record('api-feed-c10-shards', 0, 240, 75, 5),
      ]);
      const t = results.find((r) => r.id === 'api-feed-c10-shards')!;
      expect(t.comparesWith).toBe('api-feed-c10');
      expect(t.layoutRatio!.requestsPerSecond).toBeCloseTo(0.8, 12);
      expect(t.layoutRatio!.p99).toBeCloseTo(1.5, 12);
      expect(results.find((r) => r.id === 'api-feed-c10')!.layoutRatio).toBeUndefined();
      const report: BenchReport = {
        generatedAt: 'now', machine: { cpus: 2, cpuModel: 'cpu', node: 'v20', platform: 'linux', loadAverage: [1, 1, 1] },
        dataSet: { users: 10, photos: 10, follows: 10 }, results, perCore: {}, notes: [],
        shardLayout: { servers: [{ name: 'primary-0', shards: [0, 2047], rows: { users: 5 } }, { name: 'primary-1', shards: [2048, 4095], rows: { users: 5 } }] },
      };
      const md = renderMarkdown(report);
      expect(md).toMatch(/## 2-server shard layout vs one server/);
      expect(md).toMatch(/\| api-feed-c10 \| 10 \| 300 \| 240 \| 80% \| 50\.0 \| 75\.0 \| 150% \| [0-9.]+ \/ [0-9.]+ \| [0-9.]+ \/ [0-9.]+ \| 0 \/ 0 \|/);
      expect(md).toMatch(/primary-1 \(logical shards 2048-4095: 5 users\)/);
      // The twin is not a row of the API-vs-baseline table.
      expect(md.split('## 2-server')[0]).not.toMatch(/api-feed-c10-shards/);
    });

    test('a twin whose one-server scenario did not run is an error, not a silent gap', () => {
      expect(() => summarize([twin], [record('api-feed-c10-shards', 0, 1, 1, 1)])).toThrow(/compares with api-feed-c10, which did not run/);
    });
  });
});
