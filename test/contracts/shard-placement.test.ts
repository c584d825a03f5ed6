import { resolvePlacement } from '../../contracts/shard-placement';
import { LOGICAL_SHARDS } from '../../contracts/ids';

const names = ['primary-0', 'primary-1', 'primary-2'];
/** The stage-1m map: every shard on primary-0. */
const base = new Uint16Array(LOGICAL_SHARDS);
const moves = (...perNode: [number, string][][]) => names.map((_, i) => new Map(perNode[i] ?? []));

describe('effective shard placement (map + moved rows)', () => {
  test('no moved rows: the map decides', () => {
    const { owners, problems } = resolvePlacement(base, names, moves(), base);
    expect(owners.every((owner) => owner === 0)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a moved row on the owner sends the shard to the named server, and chains are followed', () => {
    const { owners, problems } = resolvePlacement(base, names, moves([[7, 'primary-1'], [8, 'primary-1']], [[8, 'primary-2']]), base);
    expect([owners[6], owners[7], owners[8]]).toEqual([0, 1, 2]);
    expect(problems).toEqual([]);
  });

  test('a moved row on a server that does not own the shard is ignored (only the chain from the map owner counts)', () => {
    const { owners } = resolvePlacement(base, names, moves([], [[9, 'primary-2']]), base);
    expect(owners[9]).toBe(0);
  });

  test('a moved row naming a server not in the map is reported and the shard keeps its previous owner', () => {
    const previous = Uint16Array.from(base);
    previous[5] = 1;
    previous[6] = 1;
    const { owners, problems } = resolvePlacement(base, names, moves([[5, 'primary-9'], [6, 'primary-9'], [40, 'primary-9']]), previous);
    expect([owners[5], owners[6], owners[40]]).toEqual([1, 1, 0]);
    expect(problems).toEqual(['logical shards 5-6, 40: primary-0 says they moved to "primary-9", which is not in the shard map; they keep their previous owner']);
  });

  test('a cycle of moved rows is reported and keeps the previous owner', () => {
    const { owners, problems } = resolvePlacement(base, names, moves([[3, 'primary-1']], [[3, 'primary-2']], [[3, 'primary-0']]), base);
    expect(owners[3]).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^logical shards 3: .*cycle.*primary-0 → primary-1 → primary-2 → primary-0/);
  });
});
