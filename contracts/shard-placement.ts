/**
 * Where a logical shard lives now: the shard map's owner, followed along the
 * servers' `moved` rows that `npm run reshard` writes. The API routes by it
 * (api/src/db/database-cluster.ts) and tools/reshard plans moves by it, so
 * both always agree on an owner. Imports only the shard map and the ID layout.
 */
import { LOGICAL_SHARDS } from './ids';
import { formatShardRanges, shardRuns } from './shard-map';

/** A shard moved more often than this in a row is a misconfiguration (or a cycle), not a layout. */
export const MAX_MOVE_HOPS = 8;

export interface Placement {
  /** Per logical shard, the index of the primary that owns it now. */
  readonly owners: Uint16Array;
  /** One line per kind of inconsistency found (shards named as ranges); the affected shards kept their previous owner. */
  readonly problems: readonly string[];
}

/**
 * The effective owner of every logical shard: start at the shard map's owner
 * and follow the servers' `moved` rows (A says "moved to B"; if B says "moved
 * to C", then C). A `moved` row naming a server that is not in the map, a
 * cycle, or more than MAX_MOVE_HOPS hops leaves that shard with its
 * `previous` owner and is reported, so one bad row never re-routes traffic to
 * an unknown place.
 *
 * @param base     per shard, the index of the map's owner
 * @param names    the primaries' names, by index
 * @param moved    per primary, its `moved` rows (shard → peer name)
 * @param previous per shard, the owner used until now
 */
export function resolvePlacement(
  base: ArrayLike<number>,
  names: readonly string[],
  moved: readonly ReadonlyMap<number, string>[],
  previous: ArrayLike<number>,
): Placement {
  const indexOf = new Map(names.map((name, index) => [name, index]));
  const owners = new Uint16Array(LOGICAL_SHARDS);
  const troubled = new Map<string, Set<number>>();
  const report = (problem: string, shard: number) => {
    const shards = troubled.get(problem) ?? new Set<number>();
    shards.add(shard);
    troubled.set(problem, shards);
  };
  for (let shard = 0; shard < LOGICAL_SHARDS; shard++) {
    let node = base[shard];
    const visited = [node];
    for (;;) {
      const peer = moved[node]?.get(shard);
      if (peer === undefined) break;
      const next = indexOf.get(peer);
      if (next === undefined) {
        report(`${names[node]} says they moved to "${peer}", which is not in the shard map`, shard);
        node = previous[shard];
        break;
      }
      if (visited.includes(next) || visited.length > MAX_MOVE_HOPS) {
        report(`their moved rows form a cycle or a chain longer than ${MAX_MOVE_HOPS} (${[...visited, next].map((i) => names[i]).join(' → ')})`, shard);
        node = previous[shard];
        break;
      }
      visited.push(next);
      node = next;
    }
    owners[shard] = node;
  }
  const problems = [...troubled].map(
    ([problem, shards]) => `logical shards ${formatShardRanges(shardRuns((s) => shards.has(s)))}: ${problem}; they keep their previous owner`,
  );
  return { owners, problems };
}
