/**
 * Splits `total` items over `n` ranks in proportion to 1 / rank^s (Zipf), no
 * rank above `cap`: what a rank cannot take is shared again among the others
 * (water-filling), so the result sums to exactly `total` whenever
 * `total <= n × cap`. Rank 0 gets the most. Used for follower counts (a few
 * celebrities, a long tail) and photos per user.
 */
export function zipfCounts(total: number, n: number, s: number, cap: number): Int32Array {
  if (!Number.isInteger(total) || total < 0) throw new Error(`total must be a non-negative integer, got ${total}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  if (total > n * cap) throw new Error(`cannot place ${total} items on ${n} ranks of at most ${cap}`);
  const counts = new Int32Array(n);
  let remaining = total;
  // Ranks still below the cap form a prefix-free set; capped ranks leave it for good.
  let open = Array.from({ length: n }, (_, i) => i);
  while (remaining > 0 && open.length > 0) {
    let weightSum = 0;
    for (const r of open) weightSum += 1 / Math.pow(r + 1, s);
    let placed = 0;
    for (const r of open) {
      const share = Math.min(cap - counts[r], Math.floor((remaining * (1 / Math.pow(r + 1, s))) / weightSum));
      counts[r] += share;
      placed += share;
    }
    remaining -= placed;
    open = open.filter((r) => counts[r] < cap);
    if (placed === 0) {
      // Rounding left a few: one each to the highest open ranks.
      for (const r of open) {
        if (remaining === 0) break;
        counts[r] += 1;
        remaining -= 1;
      }
      open = open.filter((r) => counts[r] < cap);
    }
  }
  return counts;
}

/** Cumulative weights 1 / rank^s, for drawing a rank with `drawRank`. */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / Math.pow(i + 1, s);
    cdf[i] = sum;
  }
  return cdf;
}

/** Draws a rank from a `zipfCdf` table with one uniform number in [0, 1). */
export function drawRank(cdf: Float64Array, u: number): number {
  const target = u * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
