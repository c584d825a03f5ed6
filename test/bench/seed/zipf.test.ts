import fc from 'fast-check';
import { drawRank, zipfCdf, zipfCounts } from '../../../bench/seed/zipf';

describe('zipfCounts', () => {
  test('places exactly the total, never above the cap, most on rank 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150 }), fc.double({ min: 0.1, max: 2, noNaN: true }), fc.integer({ min: 1, max: 500 }), (n, s, cap) => {
        const total = Math.floor(n * cap * 0.9);
        const counts = zipfCounts(total, n, s, cap);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...counts)).toBeLessThanOrEqual(cap);
        expect(counts[0]).toBe(Math.max(...counts));
      }),
      { numRuns: 60 },
    );
  });

  test('is skewed: with s = 0.9 over 100k ranks the top rank gets over 100× the median', () => {
    const counts = zipfCounts(2_000_000, 100_000, 0.9, 99_998);
    const sorted = Array.from(counts).sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThan(100 * sorted[50_000]);
  });

  test('refuses a total that cannot fit', () => {
    expect(() => zipfCounts(11, 5, 1, 2)).toThrow(/cannot place 11 items on 5 ranks of at most 2/);
  });
});

describe('drawRank', () => {
  test('finds the first rank whose cumulative weight exceeds the draw', () => {
    const cdf = zipfCdf(3, 1); // 1, 1.5, 1.8333
    expect(drawRank(cdf, 0)).toBe(0);
    expect(drawRank(cdf, 0.5)).toBe(0); // 0.9166 < 1
    expect(drawRank(cdf, 0.6)).toBe(1); // 1.1
    expect(drawRank(cdf, 0.99)).toBe(2);
  });
});
