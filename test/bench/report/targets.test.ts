import { checkText, judgeTarget, type TargetCheck, type TargetFigures } from '../../../bench/report/targets';

const clean: TargetFigures = { errors: 0, p99Ms: 20 };

describe('benchmark targets', () => {
  describe('each check names its measure and is judged on its own figure', () => {
    test.each<[string, TargetCheck, TargetFigures, 'met' | 'not met', number]>([
      ['req/s at the threshold is met', { measure: 'req/s', atLeast: 0.8 }, { ...clean, ratio: 0.8 }, 'met', 0.8],
      ['req/s below it is not', { measure: 'req/s', atLeast: 0.8 }, { ...clean, ratio: 0.79 }, 'not met', 0.79],
      ['per-core is the per-core ratio, not req/s', { measure: 'per-core', atLeast: 0.7 }, { ...clean, ratio: 0.9, perCoreRatio: 0.69 }, 'not met', 0.69],
      ['per-core at the threshold is met', { measure: 'per-core', atLeast: 0.7 }, { ...clean, ratio: 0.5, perCoreRatio: 0.7 }, 'met', 0.7],
      ['p99 below the bound is met', { measure: 'p99', belowMs: 25 }, { ...clean, p99Ms: 24.5 }, 'met', 24.5],
      ['p99 at the bound is not', { measure: 'p99', belowMs: 25 }, { ...clean, p99Ms: 25 }, 'not met', 25],
      ['CPU sum at half is met', { measure: 'CPU sum', atMost: 0.5 }, { ...clean, cpuSumRatio: 0.5 }, 'met', 0.5],
      ['CPU sum above half is not', { measure: 'CPU sum', atMost: 0.5 }, { ...clean, cpuSumRatio: 0.88 }, 'not met', 0.88],
    ])('%s', (_name, check, figures, verdict, value) => {
      const target = judgeTarget([check], figures);
      expect(target.checks).toEqual([{ measure: check.measure, text: checkText(check, figures.comparesCpuWith), verdict, value }]);
      expect(target.verdict).toBe(verdict);
      expect(target.met).toBe(verdict === 'met');
    });
  });

  test('texts say the measure and the threshold', () => {
    expect(checkText({ measure: 'req/s', atLeast: 0.8 })).toBe('req/s ≥ 80% of baseline');
    expect(checkText({ measure: 'req/s', atLeast: 0.85, keep: true })).toBe('req/s ≥ 85% of baseline (keep)');
    expect(checkText({ measure: 'per-core', atLeast: 0.7 })).toBe('per-core ≥ 70% of baseline');
    expect(checkText({ measure: 'p99', belowMs: 25 })).toBe('p99 < 25 ms');
    expect(checkText({ measure: 'CPU sum', atMost: 0.5 }, 'api-feed-c10')).toBe("API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's");
  });

  test('every check must hold: one not met fails the target, the text joins both', () => {
    const target = judgeTarget([{ measure: 'req/s', atLeast: 0.8 }, { measure: 'per-core', atLeast: 0.7 }], { ...clean, ratio: 0.83, perCoreRatio: 0.46 });
    expect(target).toMatchObject({ text: 'req/s ≥ 80% of baseline and per-core ≥ 70% of baseline', met: false, verdict: 'not met' });
    expect(target.checks!.map((c) => c.verdict)).toEqual(['met', 'not met']);
  });

  test('a missing input is not measured, never met, even when the other checks are met', () => {
    const target = judgeTarget([{ measure: 'p99', belowMs: 25 }, { measure: 'req/s', atLeast: 0.9 }], { ...clean, p99Ms: 10 });
    expect(target).toMatchObject({ met: false, verdict: 'not measured' });
    expect(target.checks).toEqual([
      { measure: 'p99', text: 'p99 < 25 ms', verdict: 'met', value: 10 },
      { measure: 'req/s', text: 'req/s ≥ 90% of baseline', verdict: 'not measured' },
    ]);
    expect(judgeTarget([{ measure: 'CPU sum', atMost: 0.5 }], { ...clean, comparesCpuWith: 'api-feed-c10' })).toMatchObject({ met: false, verdict: 'not measured' });
    expect(judgeTarget([{ measure: 'req/s', atLeast: 0.8 }], { ...clean, ratio: Number.NaN }).verdict).toBe('not measured');
  });

  test('a check not met outweighs one not measured', () => {
    expect(judgeTarget([{ measure: 'p99', belowMs: 25 }, { measure: 'req/s', atLeast: 0.9 }], { ...clean, p99Ms: 40 }).verdict).toBe('not met');
  });

  test('a scenario that failed requests meets nothing, whatever its figures', () => {
    const target = judgeTarget([{ measure: 'req/s', atLeast: 0.8 }, { measure: 'p99', belowMs: 25 }], { ...clean, errors: 3, ratio: 1.2 });
    expect(target.checks!.map((c) => c.verdict)).toEqual(['not met', 'not met']);
    expect(target.met).toBe(false);
  });

  test('a target without checks is a mistake in the scenario table', () => {
    expect(() => judgeTarget([], clean)).toThrow(/at least one check/);
  });
});
