import type { Client } from 'pg';
import { readMoves } from './fence';
import { effectiveOwners, shardsByOwner, type MoveRow } from './placement';
import { openRuns, type Run } from './run-state';
import type { Server } from './servers';
import { formatShardList } from './shard-list';

export interface Status {
  /** Effective shards per server, as compact ranges. */
  readonly placement: readonly { readonly server: string; readonly shards: string; readonly count: number; readonly mapShards: string }[];
  readonly runs: readonly Run[];
  /** Fence rows other than the permanent 'moved' ones (copying, frozen, incoming). */
  readonly fences: readonly { readonly server: string; readonly state: string; readonly shards: string; readonly runId: string }[];
}

/** The effective placement (map + moved rows on every server) and unfinished runs. */
export async function readStatus(servers: readonly Server[], clients: ReadonlyMap<string, Client>): Promise<Status> {
  const moves = new Map<string, MoveRow[]>();
  const runs: Run[] = [];
  for (const server of servers) {
    const client = clients.get(server.name)!;
    moves.set(server.name, await readMoves(client));
    runs.push(...(await openRuns(client)));
  }
  const owners = effectiveOwners(servers, moves);
  const byOwner = shardsByOwner(servers, owners);
  const fences: { server: string; state: string; shards: string; runId: string }[] = [];
  for (const [server, rows] of moves) {
    const groups = new Map<string, number[]>();
    for (const row of rows.filter((r) => r.state !== 'moved')) {
      const key = `${row.state}\u0000${row.runId}`;
      groups.set(key, [...(groups.get(key) ?? []), row.shard]);
    }
    for (const [key, shards] of groups) {
      const [state, runId] = key.split('\u0000');
      fences.push({ server, state, shards: formatShardList(shards), runId });
    }
  }
  return {
    placement: servers.map((s) => ({
      server: s.name,
      shards: formatShardList(byOwner.get(s.name)!) || '(none)',
      count: byOwner.get(s.name)!.length,
      mapShards: formatShardList(s.mapShards) || '(none)',
    })),
    runs,
    fences,
  };
}

export function renderStatus(status: Status): string {
  const lines = ['effective placement (shard map + moves recorded on the servers):'];
  const width = Math.max(...status.placement.map((p) => p.server.length));
  for (const p of status.placement) {
    lines.push(`  ${p.server.padEnd(width)}  ${String(p.count).padStart(4)} shards  ${p.shards}${p.shards !== p.mapShards ? `   (map: ${p.mapShards})` : ''}`);
  }
  if (status.runs.length === 0) lines.push('runs in progress: none');
  else {
    lines.push('runs in progress:');
    for (const run of status.runs) {
      lines.push(`  ${run.runId}: shards ${formatShardList(run.shards)} ${run.source} → ${run.target}, step ${run.step}, ${run.rowsCopied} rows copied, ${run.changesApplied} changes applied, since ${run.startedAt.toISOString()}`);
    }
  }
  for (const fence of status.fences) lines.push(`  fence on ${fence.server}: ${fence.state} shards ${fence.shards} (run ${fence.runId})`);
  return lines.join('\n');
}
