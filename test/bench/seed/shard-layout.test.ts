import { parseShardMap } from '../../../contracts/shard-map';
import { evenLayout, ownedBy, shardMapJson } from '../../../bench/seed/shard-layout';

describe('benchmark shard layout', () => {
  test.each([1, 2, 3, 4])('%i servers own every logical shard exactly once, in even contiguous ranges', (n) => {
    const layout = evenLayout(n);
    const owners = Array.from({ length: 4096 }, (_, shard) => layout.filter((s) => ownedBy(s)(shard)).length);
    expect(owners.every((count) => count === 1)).toBe(true);
    const sizes = layout.map((s) => s.last - s.first + 1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(layout.map((s) => s.name)).toEqual(Array.from({ length: n }, (_, i) => `primary-${i}`));
  });

  test('the SHARD_MAP it gives the API is one the API accepts, with the same ranges', () => {
    const layout = evenLayout(2);
    const map = parseShardMap(shardMapJson(layout, ['postgres://a/db', 'postgres://b/db']));
    // The parser reads the pair form as one range; flat() gives the same ends for either shape.
    expect(map.primaries.map((p) => [p.url, ...(p.shards as unknown as unknown[]).flat()])).toEqual([
      ['postgres://a/db', 0, 2047],
      ['postgres://b/db', 2048, 4095],
    ]);
  });

  test('bad layouts are refused', () => {
    expect(() => evenLayout(0)).toThrow(/1 to 64 servers/);
    expect(() => shardMapJson(evenLayout(2), ['postgres://a/db'])).toThrow(/2 servers but 1 URLs/);
  });
});
