import type { PoolClient } from 'pg';
import type { PrimaryTarget } from '../config/resolve-config';
import { ownerTable } from '../../../contracts/shard-map';
import { shardOfId } from '../../../contracts/ids';
import { DatabaseNode } from './database-node';
import { SHARD_FROZEN, SHARD_MOVED, ShardMovingError, sqlState } from './shard-errors';
import { resolvePlacement } from '../../../contracts/shard-placement';
import { noteWrite } from './write-tracking';

export { DatabaseNode, isConnectionFailure, type Queryable } from './database-node';

/** Where the cluster reports what it cannot fix itself (a pino logger fits). */
export interface ClusterLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface ClusterOptions {
  /** Connections per pool. @default 10 */
  readonly poolSize?: number;
  /** How often `start()` re-reads every server's `moved` rows (only with more than one primary). @default 2000 */
  readonly movesRefreshMs?: number;
  /** How long a write to a frozen shard waits before it fails with ShardMovingError. @default 5000 */
  readonly writeWaitMs?: number;
  /** @default silent */
  readonly log?: ClusterLog;
}

/** A moved-to server that itself says "moved" is followed again, but not forever. */
const MAX_REROUTES = 3;
/** First pause before retrying a write to a frozen shard; doubles up to MAX_FROZEN_BACKOFF_MS. */
const FIRST_FROZEN_BACKOFF_MS = 20;
const MAX_FROZEN_BACKOFF_MS = 250;

const silent: ClusterLog = { error: () => undefined, warn: () => undefined, info: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every physical primary, and the routing of logical shards to them.
 *
 * The shard map gives the base placement; moves made by tools/reshard live
 * in the databases (`shard_moves` rows with state 'moved' on the source), so
 * the effective owner of a shard is the map's owner, then wherever its
 * `moved` rows lead (docs/sharding.md). `start()` reads them and
 * re-reads them every `movesRefreshMs`; a write refused with 55G02 (moved)
 * re-reads them at once. With one primary (every stage before 1m) all 4096
 * logical shards map to it and nothing is ever read.
 *
 * Writes go through `write()` / `transaction()`, which retry a write refused
 * because its shard is frozen (55G01) for up to `writeWaitMs`, and re-route a
 * write refused because its shard has moved (55G02).
 */
export class DatabaseCluster {
  readonly nodes: readonly DatabaseNode[];
  private readonly byName: ReadonlyMap<string, DatabaseNode>;
  private readonly base: Int16Array;
  private owner: Uint16Array;
  /** Last known `moved` rows per node (kept when a node cannot be read, so one unreachable server moves nothing back). */
  private readonly moved: Map<number, string>[];
  private readonly movesRefreshMs: number;
  private readonly writeWaitMs: number;
  private readonly log: ClusterLog;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastProblems = '';
  /** Bumped whenever the effective placement changes (for /readyz and tests). */
  placementVersion = 0;

  constructor(targets: readonly PrimaryTarget[], poolSizeOrOptions: number | ClusterOptions = {}) {
    if (targets.length === 0) throw new Error('at least one primary is required');
    const options = typeof poolSizeOrOptions === 'number' ? { poolSize: poolSizeOrOptions } : poolSizeOrOptions;
    // Both checks before any pool exists: throws on a gap, an overlap or a repeated name.
    this.base = ownerTable(targets);
    if (new Set(targets.map((target) => target.name)).size !== targets.length) throw new Error('primary names must be unique');
    this.nodes = targets.map((target, index) => new DatabaseNode(index, target, options.poolSize ?? 10));
    this.byName = new Map(this.nodes.map((node) => [node.name, node]));
    this.owner = Uint16Array.from(this.base);
    this.moved = this.nodes.map(() => new Map());
    this.movesRefreshMs = options.movesRefreshMs ?? 2000;
    this.writeWaitMs = options.writeWaitMs ?? 5000;
    this.log = options.log ?? silent;
  }

  /**
   * Reads every server's moves once, then keeps them fresh on a timer (which
   * never holds the process open). Nothing to do with a single primary.
   */
  async start(): Promise<void> {
    if (this.nodes.length === 1 || this.timer) return;
    await this.refreshMoves();
    this.timer = setInterval(() => void this.refreshMoves(), this.movesRefreshMs);
    this.timer.unref();
  }

  /** The node owning a logical shard now. */
  forShard(shard: number): DatabaseNode {
    return this.nodes[this.owner[shard]];
  }

  /** The node owning the row with this ID. */
  forId(id: bigint | string): DatabaseNode {
    return this.forShard(shardOfId(id));
  }

  /** A primary by its shard-map name. */
  named(name: string): DatabaseNode | undefined {
    return this.byName.get(name);
  }

  /** Groups IDs by owning node, for fan-out reads. */
  groupByNode(ids: readonly string[]): Map<DatabaseNode, string[]> {
    const groups = new Map<DatabaseNode, string[]>();
    for (const id of ids) {
      const node = this.forId(id);
      const group = groups.get(node);
      if (group) group.push(id);
      else groups.set(node, [id]);
    }
    return groups;
  }

  /**
   * The first primary of the map: home of the unsharded tables (rate limits,
   * the job queue) and of sessions whose token predates shard-carrying
   * tokens. It never moves: these tables have no shard to move by.
   */
  get home(): DatabaseNode {
    return this.nodes[0];
  }

  /**
   * Runs one write for `shard` on its owner. `work` must be atomic (one
   * statement, or a transaction): it is retried only after the server refused
   * it, so a retry never repeats a committed write.
   * - frozen (55G01): wait with backoff and retry, for up to `writeWaitMs`,
   *   then ShardMovingError (503 `shard_moving`);
   * - moved (55G02): re-read the moves and retry on the new owner, at most
   *   MAX_REROUTES times.
   */
  async write<T>(shard: number, work: (node: DatabaseNode) => Promise<T>): Promise<T> {
    const retry = this.fenceRetry();
    for (;;) {
      const node = this.forShard(shard);
      try {
        const result = await work(node);
        noteWrite(node.name);
        return result;
      } catch (error) {
        await retry(error, shard);
      }
    }
  }

  /**
   * A write of rows on many shards, one `work(node, ids)` per server holding
   * some of `ids` (grouped by each ID's shard: the worker's fan-out), with
   * `write()`'s fence handling per group: a group refused as frozen is
   * retried after a pause (bounded by `writeWaitMs` for the whole call), a
   * group refused as moved is regrouped after the moves are re-read. `work`
   * must be atomic and idempotent (e.g. one `INSERT … ON CONFLICT DO
   * NOTHING`): a group is retried only after the server refused it.
   */
  async writeGrouped<T>(ids: readonly string[], work: (node: DatabaseNode, ids: string[]) => Promise<T>): Promise<T[]> {
    const retry = this.fenceRetry();
    const results: T[] = [];
    let pending = [...ids];
    while (pending.length > 0) {
      const groups = [...this.groupByNode(pending)];
      pending = [];
      for (const [node, group] of groups) {
        try {
          results.push(await work(node, group));
          noteWrite(node.name);
        } catch (error) {
          await retry(error, shardOfId(group[0]));
          pending.push(...group);
        }
      }
    }
    return results;
  }

  /**
   * The retry policy for writes refused by the shard guard: returns when the
   * write should be retried (after a pause for 55G01, after re-reading the
   * moves for 55G02), throws otherwise (ShardMovingError once the budget is spent).
   */
  private fenceRetry(): (error: unknown, shard: number) => Promise<void> {
    const deadline = Date.now() + this.writeWaitMs;
    let backoff = FIRST_FROZEN_BACKOFF_MS;
    let reroutes = 0;
    return async (error, shard) => {
      const state = sqlState(error);
      // The guard names the refused shard; the caller's guess is the fallback.
      const refused = Number(/logical shard (\d+)/.exec((error as Error | undefined)?.message ?? '')?.[1] ?? shard);
      if (state === SHARD_MOVED) {
        if (reroutes++ >= MAX_REROUTES) throw new ShardMovingError(refused, { cause: error });
        await this.refreshMovesNow();
        return;
      }
      if (state !== SHARD_FROZEN) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw new ShardMovingError(refused, { cause: error });
      await sleep(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, MAX_FROZEN_BACKOFF_MS);
    };
  }

  /** `write()` of one transaction on the owner of `shard`'s primary. */
  transaction<T>(shard: number, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.write(shard, (node) => node.transaction(work));
  }

  /**
   * Re-reads the `moved` rows of every server and recomputes the placement.
   * Concurrent calls share one read.
   */
  refreshMoves(): Promise<void> {
    this.refreshing ??= this.readMoves().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** A read that starts after this call (one already under way may predate the move that a 55G02 just reported). */
  private async refreshMovesNow(): Promise<void> {
    await this.refreshing;
    await this.refreshMoves();
  }

  private async readMoves(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        try {
          const { rows } = await node.query<{ shard: number; peer: string }>(`SELECT shard, peer FROM shard_moves WHERE state = 'moved'`);
          this.moved[node.index] = new Map(rows.map((row) => [row.shard, row.peer]));
        } catch (error) {
          this.log.warn({ err: error, primary: node.name }, 'could not read shard moves; keeping the last known ones');
        }
      }),
    );
    const { owners, problems } = resolvePlacement(
      this.base,
      this.nodes.map((node) => node.name),
      this.moved,
      this.owner,
    );
    // Logged when they change, not every refresh.
    const summary = problems.join('\n');
    if (summary !== this.lastProblems) for (const problem of problems) this.log.error({ problem }, 'shard moves are inconsistent');
    this.lastProblems = summary;
    if (owners.some((owner, shard) => owner !== this.owner[shard])) {
      this.owner = owners;
      this.placementVersion++;
      this.log.info({ placementVersion: this.placementVersion }, 'shard placement changed');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing?.catch(() => undefined);
    await Promise.all(this.nodes.map((node) => node.close()));
  }
}
