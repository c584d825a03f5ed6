import type { DatabaseCluster, DatabaseNode } from '../db/database-cluster';
import { shardOfId } from '../../../contracts/ids';
import { SESSION_TTL_SECONDS, type Session, type SessionStore } from './session-store';
import { hashToken, newToken, shardOfToken } from './tokens';

/**
 * Sessions in PostgreSQL (stages without Redis), each on its user's logical
 * shard: the token carries that shard, so every lookup goes to one server.
 * A legacy 43-character token (made before tokens carried a shard, when one
 * server held everything) is looked up on the first primary.
 */
export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly db: DatabaseCluster) {}

  /** PostgreSQL failures surface from the credentials query, before any hashing. */
  available(): boolean {
    return true;
  }

  /**
   * Runs a write on the token's session through the cluster's fence-aware
   * retry. A legacy token names no shard: its row was written on the first
   * primary, under its user's shard, so that shard (read from the row) routes
   * the write (to the first primary while it owns the shard, or after the
   * user's shard moved, where the row moved with it).
   */
  private async write(token: string, work: (node: DatabaseNode) => Promise<unknown>): Promise<void> {
    let shard = shardOfToken(token);
    if (shard === undefined) {
      const { rows } = await this.db.home.query<{ user_id: string }>('SELECT user_id FROM sessions WHERE token_hash = $1', [hashToken(token)]);
      if (rows.length === 0) return;
      shard = shardOfId(rows[0].user_id);
    }
    await this.db.write(shard, work);
  }

  private nodeOf(token: string): DatabaseNode {
    const shard = shardOfToken(token);
    return shard === undefined ? this.db.home : this.db.forShard(shard);
  }

  async create(userId: string): Promise<string> {
    const shard = shardOfId(userId);
    const token = newToken(shard);
    await this.store(token, userId);
    return token;
  }

  /**
   * Only this user's shard's expired sessions on that server: a sweep of the
   * whole table would touch rows of a shard that is frozen or moved (the
   * guard would refuse the whole statement).
   */
  private async sweep(node: DatabaseNode): Promise<void> {
    await node.query('DELETE FROM sessions WHERE expires_at < now() AND NOT EXISTS (SELECT 1 FROM shard_moves m WHERE m.shard = ((user_id >> 10) & 4095))').catch(() => undefined);
  }

  async find(token: string): Promise<Session | undefined> {
    return (await this.findWithLifetime(token))?.session;
  }

  /** The session and how many whole seconds it has left (for copying it into another store with the same end). */
  async findWithLifetime(token: string): Promise<{ readonly session: Session; readonly secondsLeft: number } | undefined> {
    // The primary: a session created a moment ago on another instance must already work.
    const { rows } = await this.nodeOf(token).query<{ user_id: string; last_write_ms: string | null; seconds_left: number }>(
      `SELECT user_id, (extract(epoch FROM last_write_at) * 1000)::bigint AS last_write_ms,
              floor(extract(epoch FROM expires_at - now()))::int AS seconds_left
         FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
      [hashToken(token)],
    );
    if (rows.length === 0) return undefined;
    return { session: { userId: rows[0].user_id, lastWriteAt: Number(rows[0].last_write_ms ?? 0) }, secondsLeft: rows[0].seconds_left };
  }

  /** Stores a session made elsewhere under its token (the Redis store's log-ins, while PostgreSQL still serves as the fallback). */
  async store(token: string, userId: string): Promise<void> {
    const shard = shardOfToken(token) ?? shardOfId(userId);
    await this.db.write(shard, (node) =>
      node.query(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [
        hashToken(token),
        userId,
        SESSION_TTL_SECONDS,
      ]),
    );
    // Expired sessions are swept now and then by log-ins instead of by a scheduled job
    // (the copies the Redis store writes while PostgreSQL is its fallback too).
    if (Math.random() < 0.01) void this.sweep(this.db.forShard(shard));
  }

  async delete(token: string): Promise<void> {
    await this.write(token, (node) => node.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]));
  }

  async markWrite(token: string): Promise<void> {
    await this.write(token, (node) => node.query('UPDATE sessions SET last_write_at = now() WHERE token_hash = $1', [hashToken(token)]));
  }
}
