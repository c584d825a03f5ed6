import type { DatabaseNode } from '../db/database-cluster';
import { SESSION_TTL_SECONDS, type Session, type SessionStore } from './session-store';
import { hashToken, newToken } from './tokens';

/** Sessions in PostgreSQL (stages without Redis), on the node of logical shard 0. */
export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly db: DatabaseNode) {}

  async create(userId: string): Promise<string> {
    const token = newToken();
    await this.db.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [hashToken(token), userId, SESSION_TTL_SECONDS],
    );
    // Expired sessions are swept now and then by log-ins instead of by a scheduled job.
    if (Math.random() < 0.01) void this.db.query('DELETE FROM sessions WHERE expires_at < now()').catch(() => undefined);
    return token;
  }

  async find(token: string): Promise<Session | undefined> {
    // The primary: a session created a moment ago on another instance must already work.
    const { rows } = await this.db.query<{ user_id: string; last_write_ms: string | null }>(
      `SELECT user_id, (extract(epoch FROM last_write_at) * 1000)::bigint AS last_write_ms
         FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
      [hashToken(token)],
    );
    if (rows.length === 0) return undefined;
    return { userId: rows[0].user_id, lastWriteAt: Number(rows[0].last_write_ms ?? 0) };
  }

  async delete(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]);
  }

  async markWrite(token: string): Promise<void> {
    await this.db.query('UPDATE sessions SET last_write_at = now() WHERE token_hash = $1', [hashToken(token)]);
  }
}
