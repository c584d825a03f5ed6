import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { PrimaryTarget } from '../config/resolve-config';
import { LOGICAL_SHARDS, shardOfId } from '../lib/ids';

/** Something a query can run on: a pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** How long a replica that failed to answer is skipped before it is tried again. */
const REPLICA_RETRY_AFTER_MS = 5_000;

/** A failure of the server or the link (not of the SQL): worth retrying on the primary. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  // SQLSTATE class 08 (connection exception), 57P0x (shutdown, crash), 53300 (too many connections).
  if (/^(08|57P0)/.test(code) || code === '53300') return true;
  // Node socket errors (ECONNREFUSED, ETIMEDOUT, …) are not SQLSTATEs.
  return !/^[0-9A-Z]{5}$/.test(code);
}

interface Replica {
  readonly pool: Pool;
  downUntil: number;
}

/** One physical primary with its read replicas and the logical shards it owns. */
export class DatabaseNode implements Queryable {
  readonly primary: Pool;
  private readonly replicas: Replica[];
  private next = 0;
  /** Counts reads served per target, for /readyz and for tests that prove routing. */
  readonly stats = { primaryReads: 0, replicaReads: 0, replicaFallbacks: 0 };

  constructor(
    readonly index: number,
    target: PrimaryTarget,
    poolSize: number,
  ) {
    // A short connect timeout so a dead replica costs little before the fallback.
    const common = { max: poolSize, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000 };
    this.primary = new Pool({ ...target.primary, ...common });
    this.replicas = target.replicas.map((config) => ({ pool: new Pool({ ...config, ...common }), downUntil: 0 }));
    // An idle client's error (e.g. server restart) must not crash the process; the next query reconnects.
    for (const pool of [this.primary, ...this.replicas.map((r) => r.pool)]) pool.on('error', () => undefined);
  }

  get replicaCount(): number {
    return this.replicas.length;
  }

  /** Writes, and reads that must see this request's or this user's recent writes. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    return this.primary.query<R>(text, values);
  }

  /**
   * Reads that tolerate replica lag: round-robin over healthy replicas, and the
   * primary when there is none or the chosen replica fails to answer.
   */
  async read<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[], fromPrimary = false) {
    const now = Date.now();
    if (!fromPrimary) {
      for (let tried = 0; tried < this.replicas.length; tried++) {
        const replica = this.replicas[this.next++ % this.replicas.length];
        if (replica.downUntil > now) continue;
        try {
          const result = await replica.pool.query<R>(text, values);
          this.stats.replicaReads++;
          return result;
        } catch (error) {
          if (!isConnectionFailure(error)) throw error;
          replica.downUntil = Date.now() + REPLICA_RETRY_AFTER_MS;
          this.stats.replicaFallbacks++;
        }
      }
    }
    this.stats.primaryReads++;
    return this.primary.query<R>(text, values);
  }

  /** Runs `work` in one transaction on the primary. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.primary.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.end(), ...this.replicas.map((r) => r.pool.end())]);
  }
}

/**
 * Every physical primary, and the routing of logical shards to them. With one
 * primary (every stage before 1m) all 4096 logical shards map to it.
 */
export class DatabaseCluster {
  readonly nodes: readonly DatabaseNode[];
  private readonly owner: Uint16Array;

  constructor(targets: readonly PrimaryTarget[], poolSize = 10) {
    if (targets.length === 0) throw new Error('at least one primary is required');
    this.nodes = targets.map((target, index) => new DatabaseNode(index, target, poolSize));
    this.owner = new Uint16Array(LOGICAL_SHARDS).fill(0xffff);
    targets.forEach((target, index) => {
      for (let shard = target.shards[0]; shard <= target.shards[1]; shard++) this.owner[shard] = index;
    });
    const orphan = this.owner.indexOf(0xffff);
    if (orphan !== -1) throw new Error(`logical shard ${orphan} belongs to no primary`);
  }

  /** The node owning a logical shard. */
  forShard(shard: number): DatabaseNode {
    return this.nodes[this.owner[shard]];
  }

  /** The node owning the row with this ID. */
  forId(id: bigint | string): DatabaseNode {
    return this.forShard(shardOfId(id));
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

  /** Node of logical shard 0: home of data that has no ID to route by (database sessions, rate limits). */
  get home(): DatabaseNode {
    return this.forShard(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
  }
}
