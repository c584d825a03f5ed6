import { resolve } from 'node:path';
import { climbCondition } from '../../../stages/climb-signals';
import { LADDER } from '../../../stages/ladder';
import { DEFAULT_ASSUMPTIONS } from '../../../tools/plan/assumptions';
import { BENCH_RESULT_FILE, loadPerCore } from '../../../tools/plan/bench-throughput';
import { estimateCapacity } from '../../../tools/plan/capacity';

// The throughput `npm run plan` uses: the committed benchmark figures.
const PER_CORE = loadPerCore(DEFAULT_ASSUMPTIONS.defaultPerCore, resolve(BENCH_RESULT_FILE)).perCore;

describe('when to climb: the plan and the stage specs name the same signal', () => {
  test.each(LADDER.map((spec) => [spec.name, spec]))(
    "stage %s: the plan's first limit is the one the spec climbs on, and its signal is the alarm's condition",
    (_name, spec) => {
      const first = estimateCapacity(spec, DEFAULT_ASSUMPTIONS, PER_CORE).firstLimit;
      const condition = climbCondition(spec);
      expect({ climbsOn: first.climbSignal, signal: first.signal }).toEqual({ climbsOn: spec.monitoring.climb.kind, signal: condition.text });
    },
  );

  test('the plan climbs where the alarms fire', () => {
    expect(DEFAULT_ASSUMPTIONS.climbAtShare * 100).toBe(climbCondition(LADDER[0]).threshold);
  });

  test("a database-cpu alarm fires at the climb share of the database utilisation the plan assumes", () => {
    const onCpu = LADDER.filter((spec) => spec.monitoring.climb.kind === 'database-cpu');
    expect(onCpu.map((spec) => spec.name)).not.toEqual([]);
    for (const spec of onCpu) {
      expect(climbCondition(spec).threshold).toBeCloseTo(DEFAULT_ASSUMPTIONS.climbAtShare * DEFAULT_ASSUMPTIONS.dbUtilisation * 100, 6);
    }
  });
});
