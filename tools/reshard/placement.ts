import { resolvePlacement } from '../../contracts/shard-placement';
import { LOGICAL_SHARDS } from '../../contracts/ids';
import type { Server } from './servers';

export type MoveState = 'copying' | 'frozen' | 'moved' | 'incoming';

/** A `shard_moves` row as one server holds it. */
export interface MoveRow {
  readonly shard: number;
  readonly state: MoveState;
  readonly peer: string;
  readonly runId: string;
}

/**
 * The effective owner of every logical shard, by server name: the map's
 * owner, then follow `moved` rows (A says moved→B; if B says moved→C, then C).
 * It is the API's own rule (`resolvePlacement`), so the tool moves exactly
 * what the API routes; where the API would keep a previous owner (a moved row
 * naming an unknown server, a loop) the tool refuses to run instead.
 */
export function effectiveOwners(servers: readonly Server[], moves: ReadonlyMap<string, readonly MoveRow[]>): string[] {
  const base = new Uint16Array(LOGICAL_SHARDS);
  for (const server of servers) for (const shard of server.mapShards) base[shard] = server.index;
  const moved = servers.map((s) => new Map((moves.get(s.name) ?? []).filter((r) => r.state === 'moved').map((r) => [r.shard, r.peer])));
  const placement = resolvePlacement(base, servers.map((s) => s.name), moved, base);
  if (placement.problems.length > 0) throw new Error(`the recorded moves are inconsistent: ${placement.problems.join('; ')}`);
  return Array.from(placement.owners, (index) => servers[index].name);
}

/** The shards each server effectively owns, as sorted lists. */
export function shardsByOwner(servers: readonly Server[], owners: readonly string[]): Map<string, number[]> {
  const result = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  owners.forEach((owner, shard) => result.get(owner)!.push(shard));
  return result;
}
