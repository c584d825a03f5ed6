import { LOGICAL_SHARDS } from '../../contracts/ids';
import type { ShardFilter } from './data-set';

/** One physical server of a benchmark shard layout and the inclusive range of logical shards it owns. */
export interface LayoutServer {
  readonly name: string;
  readonly first: number;
  readonly last: number;
}

/**
 * `servers` primaries named `primary-0..n-1`, the 4096 logical shards split in
 * even contiguous ranges (the split `SHARD_DATABASE_URLS` makes). Every shard
 * belongs to exactly one server.
 */
export function evenLayout(servers: number): LayoutServer[] {
  if (!Number.isInteger(servers) || servers < 1 || servers > 64) throw new Error(`a shard layout needs 1 to 64 servers, got ${servers}`);
  return Array.from({ length: servers }, (_, i) => ({
    name: `primary-${i}`,
    first: Math.floor((i * LOGICAL_SHARDS) / servers),
    last: Math.floor(((i + 1) * LOGICAL_SHARDS) / servers) - 1,
  }));
}

/** The seed's filter for one server: rows whose home shard it owns. */
export function ownedBy(server: LayoutServer): ShardFilter {
  return (shard) => shard >= server.first && shard <= server.last;
}

/**
 * The API's `SHARD_MAP` for the layout, each primary reached by URL. The
 * `[first, last]` pair form: the map the API is given and the rows the seed
 * places come from the same ranges, so no row is on a server the map does not
 * send its shard to.
 */
export function shardMapJson(layout: readonly LayoutServer[], urls: readonly string[]): string {
  if (urls.length !== layout.length) throw new Error(`the layout has ${layout.length} servers but ${urls.length} URLs were given`);
  return JSON.stringify({
    logicalShards: LOGICAL_SHARDS,
    primaries: layout.map((server, i) => ({ url: urls[i], shards: [server.first, server.last] })),
  });
}
