import { LOGICAL_SHARDS } from '../../api/src/lib/ids';
import type { Server } from './servers';

export type MoveState = 'copying' | 'frozen' | 'moved' | 'incoming';

/** A `shard_moves` row as one server holds it. */
export interface MoveRow {
  readonly shard: number;
  readonly state: MoveState;
  readonly peer: string;
  readonly runId: string;
}

/** At most this many `moved` hops (design §1); more, or a loop, means the control rows are corrupt. */
export const MAX_HOPS = 8;

/**
 * The effective owner of every logical shard, by server name: the map's
 * owner, then follow `moved` rows (A says moved→B; if B says moved→C, then C).
 * This is the rule the API routes by, so the tool moves exactly what the API
 * would read and write.
 */
export function effectiveOwners(servers: readonly Server[], moves: ReadonlyMap<string, readonly MoveRow[]>): string[] {
  const movedTo = new Map<string, Map<number, string>>();
  for (const [name, rows] of moves) movedTo.set(name, new Map(rows.filter((r) => r.state === 'moved').map((r) => [r.shard, r.peer])));
  const known = new Set(servers.map((s) => s.name));
  const owners = new Array<string>(LOGICAL_SHARDS);
  for (const server of servers) {
    for (const shard of server.mapShards) {
      let owner = server.name;
      const seen = [owner];
      for (let next = movedTo.get(owner)?.get(shard); next !== undefined; next = movedTo.get(owner)?.get(shard)) {
        if (!known.has(next)) throw new Error(`logical shard ${shard}: ${owner} says it moved to "${next}", which is not in the shard map`);
        if (seen.includes(next) || seen.length > MAX_HOPS) throw new Error(`logical shard ${shard}: moved rows form a loop or a chain longer than ${MAX_HOPS} (${[...seen, next].join(' → ')})`);
        owner = next;
        seen.push(owner);
      }
      owners[shard] = owner;
    }
  }
  return owners;
}

/** The shards each server effectively owns, as sorted lists. */
export function shardsByOwner(servers: readonly Server[], owners: readonly string[]): Map<string, number[]> {
  const result = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  owners.forEach((owner, shard) => result.get(owner)!.push(shard));
  return result;
}
