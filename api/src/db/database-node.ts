import { Pool, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';
import type { PrimaryTarget } from '../config/resolve-config';
import { apiPoolConfig } from './api-pool-config';

/** Something a query can run on: a pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** How long a replica that failed to answer is skipped before it is tried again. */
const REPLICA_RETRY_AFTER_MS = 5_000;
/** The shortest time between two reads of a primary's secret after authentication failures. */
const REREAD_INTERVAL_MS = 1_000;

/** The server refused the credentials (28P01 invalid_password, 28000 invalid_authorization_specification). */
function isAuthenticationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '28P01' || code === '28000';
}

/** A failure of the server or the link (not of the SQL): worth retrying on the primary. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  // SQLSTATE class 08 (connection exception), 57P0x (shutdown, crash), 53300 (too many connections).
  if (/^(08|57P0)/.test(code) || code === '53300') return true;
  // Node socket errors (ECONNREFUSED, ETIMEDOUT, …) are not SQLSTATEs.
  return !/^[0-9A-Z]{5}$/.test(code);
}

/**
 * Distinct SQL texts given a prepared-statement name, at most. The API's
 * statements are constant texts (a few dozen); a caller building texts from
 * data would otherwise grow this map and every server session's statement
 * cache without bound: past the cap, texts run unnamed (parsed and planned
 * each time, as before).
 */
export const MAX_PREPARED_STATEMENTS = 500;
const statementNames = new Map<string, string>();

/**
 * A query with parameters as a named (prepared) statement: each pooled
 * connection parses it once, and PostgreSQL stops planning it per execution
 * once its generic plan is as good as the custom ones (plan_cache_mode auto).
 * Parsing and planning were most of the server's CPU for the API's short
 * queries (the fan-out feed's entries: 340 µs per execution unnamed, 130 µs
 * prepared; a user by ID 80 → 33 µs; issue 18). Queries without parameters
 * stay on the simple protocol, which also allows several statements.
 * The pools connect straight to PostgreSQL at every stage (no transaction
 * pooler, where named statements would not follow the session).
 */
export function statement(text: string, values?: unknown[]): QueryConfig {
  if (values === undefined || values.length === 0) return { text, values };
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENTS) {
    name = `graminsta_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

interface Replica {
  readonly pool: Pool;
  downUntil: number;
}

/**
 * One physical primary with its read replicas. Which logical shards it owns
 * is the cluster's business (see DatabaseCluster).
 */
export class DatabaseNode implements Queryable {
  private pools: { readonly primary: Pool; readonly replicas: Replica[] };
  private next = 0;
  /** Counts reads served per target, for /readyz and for tests that prove routing. */
  readonly stats = { primaryReads: 0, replicaReads: 0, replicaFallbacks: 0, credentialRefreshes: 0 };

  /** The primary's name in the shard map (`primary-0` …), as `shard_moves.peer` and tools/reshard call it. */
  readonly name: string;
  private readonly reread: PrimaryTarget['reread'];
  private rereading: Promise<void> | undefined;
  private lastReread = 0;

  constructor(
    readonly index: number,
    target: PrimaryTarget,
    private readonly poolSize: number,
  ) {
    this.name = target.name;
    this.reread = target.reread;
    this.pools = this.connect(target);
  }

  private connect(target: PrimaryTarget): { primary: Pool; replicas: Replica[] } {
    // A short connect timeout so a dead replica costs little before the fallback.
    const common = { max: this.poolSize, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000 };
    const primary = new Pool(apiPoolConfig(target.primary, common));
    const replicas = target.replicas.map((config) => ({ pool: new Pool(apiPoolConfig(config, common)), downUntil: 0 }));
    // An idle client's error (e.g. server restart) must not crash the process; the next query reconnects.
    for (const pool of [primary, ...replicas.map((r) => r.pool)]) pool.on('error', () => undefined);
    return { primary, replicas };
  }

  /** The primary's pool (replaced when rotated credentials are re-read). */
  get primary(): Pool {
    return this.pools.primary;
  }

  private get replicas(): Replica[] {
    return this.pools.replicas;
  }

  get replicaCount(): number {
    return this.replicas.length;
  }

  /**
   * Runs `attempt` on the primary; when the server refuses the credentials in
   * hand (28P01/28000: the secret was rotated, by Secrets Manager rotation or
   * an RDS-managed master password), re-reads the secret, replaces the pools
   * and tries once more. An authentication failure happens while connecting,
   * before any statement ran, so the retry cannot repeat a write.
   */
  private async withCurrentCredentials<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (!this.reread || !isAuthenticationFailure(error)) throw error;
      await this.rereadCredentials();
      return attempt();
    }
  }

  /**
   * Re-reads the secret and swaps in new pools; the old ones close once
   * their clients are back (transactions in flight finish on them).
   * Concurrent failures share one read, and a second read waits for
   * REREAD_INTERVAL_MS, so wrong credentials cannot hammer Secrets Manager.
   */
  private rereadCredentials(): Promise<void> {
    const reread = this.reread;
    if (!reread) return Promise.resolve();
    this.rereading ??= (async () => {
      const wait = this.lastReread + REREAD_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastReread = Date.now();
      const target = await reread();
      const old = this.pools;
      this.pools = this.connect(target);
      this.stats.credentialRefreshes++;
      void Promise.all([old.primary.end(), ...old.replicas.map((r) => r.pool.end())]).catch(() => undefined);
    })().finally(() => (this.rereading = undefined));
    return this.rereading;
  }

  /** Writes, and reads that must see this request's or this user's recent writes. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    return this.withCurrentCredentials(() => this.primary.query<R>(statement(text, values)));
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
          const result = await replica.pool.query<R>(statement(text, values));
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
    return this.withCurrentCredentials(() => this.readPrimary<R>(text, values));
  }

  /**
   * A read on the primary, tried once more when the server had closed the
   * pooled connection it got (57P01 after pg_terminate_backend, a restart, a
   * credentials rotation's clean-up): the pool drops a dead client only once
   * it notices, so the first read after such a close can draw one. A read
   * changes nothing, so a second try is safe; a server that is really down
   * fails it too, at once.
   */
  private async readPrimary<R extends QueryResultRow>(text: string, values?: unknown[]) {
    try {
      return await this.primary.query<R>(statement(text, values));
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      return this.primary.query<R>(statement(text, values));
    }
  }

  /**
   * Runs `work` in one transaction on the primary. While a client is checked
   * out, pg-pool's idle 'error' listener is off it, so a server-side
   * disconnect (a fast shutdown, an RDS failover) would be an unhandled
   * 'error' event that ends the process: this listener takes it instead, the
   * query in flight fails with the cause, and the broken client is released
   * with the error so the pool destroys it rather than reusing it.
   */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.withCurrentCredentials(() => this.primary.connect());
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A failed ROLLBACK means the link is gone: the client must not go back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken ??= rollbackError;
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.end(), ...this.replicas.map((r) => r.pool.end())]);
  }
}
