import type { Client } from 'pg';
import { CliError } from '../../contracts/cli';
import { countRows } from './bulk-copy';
import { readMoves } from './fence';
import { effectiveOwners, type MoveRow } from './placement';
import { openRuns, type Run } from './run-state';
import { describeServer, type Server } from './servers';
import { formatShardList } from './shard-list';
import { readShardedTables, type ShardedTable } from './tables';

/** What a run will do, checked against every server before anything changes. */
export interface Plan {
  readonly shards: readonly number[];
  readonly source: Server;
  readonly target: Server;
  readonly tables: readonly ShardedTable[];
  /** Source rows of the moving shards per table (the dry run prints them). */
  readonly rows: ReadonlyMap<string, number>;
  /** The unfinished run of exactly this move, when the command is a resume. */
  readonly resume?: Run;
}

async function readMovesOrFail(client: Client, server: Server): Promise<MoveRow[]> {
  try {
    return await readMoves(client);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new CliError(`${describeServer(server)} has no shard_moves table: migrate it first (start this version of the API once; it migrates every primary)`);
    }
    throw error;
  }
}

async function schemaVersion(client: Client): Promise<number> {
  const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM schema_migrations`).catch(() => ({ rows: [{ v: null }] }));
  return rows[0].v ?? 0;
}

async function openRunsOrFail(client: Client, server: Server): Promise<Run[]> {
  try {
    return await openRuns(client);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') throw new CliError(`${describeServer(server)} has no reshard_runs table: migrate it first (schema version 4)`);
    throw error;
  }
}

/**
 * Validates a move against the live servers and returns its plan. Every
 * problem is a CliError (exit 2) and nothing has been written yet:
 * same source and target, a shard the source does not effectively own, a
 * run already in progress on those shards, different schema versions, or a
 * target that already holds rows of the shards.
 */
export async function makePlan(
  servers: readonly Server[],
  clients: ReadonlyMap<string, Client>,
  shards: readonly number[],
  source: Server,
  target: Server,
): Promise<Plan> {
  if (source.name === target.name) throw new CliError(`--from and --to are the same server (${source.name})`);
  const moves = new Map<string, MoveRow[]>();
  for (const server of servers) moves.set(server.name, await readMovesOrFail(clients.get(server.name)!, server));
  const sourceClient = clients.get(source.name)!;
  const targetClient = clients.get(target.name)!;

  const [sourceVersion, targetVersion] = [await schemaVersion(sourceClient), await schemaVersion(targetClient)];
  if (sourceVersion !== targetVersion) {
    throw new CliError(`${source.name} is at schema version ${sourceVersion} but ${target.name} at ${targetVersion}: migrate both to the same version first`);
  }
  let tables: ShardedTable[];
  let targetTables: ShardedTable[];
  try {
    tables = await readShardedTables(sourceClient, source.name);
    targetTables = await readShardedTables(targetClient, target.name);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const shape = (list: ShardedTable[]) => JSON.stringify(list.map((t) => [t.name, t.shardColumn, t.primaryKey, t.columns]));
  if (shape(tables) !== shape(targetTables)) throw new CliError(`${source.name} and ${target.name} have different sharded tables or columns: migrate both to the same version first`);

  // This exact move, unfinished: the command resumes it.
  const open = await openRunsOrFail(sourceClient, source);
  const same = open.find((run) => run.target === target.name && run.shards.length === shards.length && run.shards.every((s, i) => s === shards[i]));
  const overlapping = open.find((run) => run !== same && run.shards.some((s) => shards.includes(s)));
  if (overlapping) {
    throw new CliError(
      `run ${overlapping.runId} (shards ${formatShardList(overlapping.shards)}, ${overlapping.source} → ${overlapping.target}, step ${overlapping.step}) is in progress on these shards: finish it first by re-running its command`,
    );
  }
  if (!same && open.length > 0) {
    const run = open[0];
    throw new CliError(`run ${run.runId} (shards ${formatShardList(run.shards)} → ${run.target}, step ${run.step}) is in progress on ${source.name}: one move per source at a time; finish it first by re-running its command`);
  }

  const rows = new Map<string, number>();
  if (!same) {
    let owners: string[];
    try {
      owners = effectiveOwners(servers, moves);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const elsewhere = shards.filter((s) => owners[s] !== source.name);
    if (elsewhere.length > 0) {
      const where = [...new Set(elsewhere.map((s) => owners[s]))].map((owner) => `${formatShardList(elsewhere.filter((s) => owners[s] === owner))} on ${owner}`);
      throw new CliError(`${source.name} does not own logical shard(s) ${formatShardList(elsewhere)} (${where.join('; ')})`);
    }
    const fenced = (moves.get(source.name) ?? []).filter((m) => shards.includes(m.shard) && m.state !== 'incoming');
    if (fenced.length > 0) throw new CliError(`${source.name} has ${fenced[0].state} fence rows for shard(s) ${formatShardList(fenced.map((m) => m.shard))} (run ${fenced[0].runId}) but no open run: remove them first (docs/resharding.md, "Abandoning a run")`);
    // 'incoming' rows from this same source with no run behind them: a start killed before its run row committed; reused.
    const incoming = (moves.get(target.name) ?? []).filter((m) => shards.includes(m.shard) && m.state !== 'moved' && !(m.state === 'incoming' && m.peer === source.name));
    if (incoming.length > 0) throw new CliError(`${target.name} has ${incoming[0].state} fence rows for shard(s) ${formatShardList(incoming.map((m) => m.shard))} from run ${incoming[0].runId}: remove them first (docs/resharding.md, "Abandoning a run")`);
    for (const table of tables) {
      const onTarget = await countRows(targetClient, table, shards);
      if (onTarget > 0) throw new CliError(`${target.name} already holds ${onTarget} row(s) of these shards in table ${table.name}; refusing to overwrite them`);
    }
  }
  for (const table of tables) rows.set(table.name, await countRows(sourceClient, table, shards));
  return { shards, source, target, tables, rows, resume: same };
}
