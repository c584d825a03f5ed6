import { shardRanges } from '../../../../lib/constructs/database/shard-map';

describe('shardRanges', () => {
  test('splits 4096 logical shards evenly over 4 primaries', () => {
    expect(shardRanges(4096, 4)).toEqual([[0, 1023], [1024, 2047], [2048, 3071], [3072, 4095]]);
  });

  test.each([[4096, 1], [4096, 3], [4096, 7], [10, 10], [5, 2]])('covers 0..%i-1 over %i primaries without gaps or overlaps, sizes differing by at most one', (shards, primaries) => {
    const ranges = shardRanges(shards, primaries);
    expect(ranges).toHaveLength(primaries);
    expect(ranges[0][0]).toBe(0);
    expect(ranges[ranges.length - 1][1]).toBe(shards - 1);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBe(ranges[i - 1][1] + 1);
    const sizes = ranges.map(([a, b]) => b - a + 1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test.each([[0, 1], [4096, 0], [4, 5], [4096, 1.5]])('rejects %i shards over %i primaries', (shards, primaries) => {
    expect(() => shardRanges(shards, primaries)).toThrow(/must be/);
  });
});
