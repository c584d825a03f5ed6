import type { DatabaseCluster } from '../db/database-cluster';
import type { IsoTimestamp } from '../db/timestamptz-text';
import { shardForUsername } from '../../../contracts/ids';

export interface UserProfile {
  readonly id: string;
  readonly username: string;
  readonly createdAt: IsoTimestamp;
  readonly photoCount: number;
  readonly followerCount: number;
  readonly followingCount: number;
}

/** A search result: who a user is, enough to link to their profile. */
export interface UserSummary {
  readonly id: string;
  readonly username: string;
}

export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly createdAt: IsoTimestamp;
}

/**
 * Users live on the logical shard derived from their username (see ids.ts),
 * so sign-up and log-in find the server from the username alone, and the
 * per-server unique index keeps usernames unique (one name, one shard).
 */
export class UsersRepository {
  constructor(private readonly db: DatabaseCluster) {}

  /** Undefined when the username is taken. */
  async create(username: string, passwordHash: string): Promise<NewUser | undefined> {
    const shard = shardForUsername(username);
    const { rows } = await this.db.write(shard, (node) =>
      node.query<{ id: string; username: string; created_at: IsoTimestamp }>(
        `INSERT INTO users (id, username, password_hash) VALUES (graminsta_next_id($1), $2, $3)
         ON CONFLICT (username) DO NOTHING RETURNING id, username, created_at`,
        [shard, username, passwordHash],
      ),
    );
    if (rows.length === 0) return undefined;
    return { id: rows[0].id, username: rows[0].username, createdAt: rows[0].created_at };
  }

  /** For log-in: always the primary, so a just-created account can log in at once. */
  async credentials(username: string): Promise<{ id: string; passwordHash: string } | undefined> {
    const { rows } = await this.db
      .forShard(shardForUsername(username))
      .query<{ id: string; password_hash: string }>('SELECT id, password_hash FROM users WHERE username = $1', [username]);
    return rows.length === 0 ? undefined : { id: rows[0].id, passwordHash: rows[0].password_hash };
  }

  /**
   * Users whose username starts with `prefix`, in byte order of the username,
   * after `after` (the last username of the previous page), `limit + 1` rows.
   * A user's server is a hash of the username, so any server may hold
   * matches: each one answers from its `users_username_c_idx` range (at most
   * `limit + 1` rows, a replica where there is one) and the pages are merged.
   * A row counts only on the server that owns it now: while a shard moves,
   * its users may be on two servers (docs/sharding.md).
   */
  async searchByPrefix(prefix: string, after: string | undefined, limit: number): Promise<UserSummary[]> {
    const upper = `${prefix}\u{10FFFF}`;
    const perNode = await Promise.all(
      this.db.nodes.map(async (node) => {
        const { rows } = await node.read<{ id: string; username: string }>(
          `SELECT id, username FROM users
            WHERE (username COLLATE "C") >= $1 AND (username COLLATE "C") < $2 AND (username COLLATE "C") > COALESCE($3::text, '')
            ORDER BY (username COLLATE "C") LIMIT $4`,
          [prefix, upper, after ?? null, limit + 1],
        );
        return rows.filter((row) => this.db.forId(row.id) === node);
      }),
    );
    const seen = new Set<string>();
    return perNode
      .flat()
      .filter((row) => !seen.has(row.id) && seen.add(row.id))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
      .slice(0, limit + 1)
      .map((row) => ({ id: row.id, username: row.username }));
  }

  async exists(id: string): Promise<boolean> {
    const { rows } = await this.db.forId(id).query('SELECT 1 FROM users WHERE id = $1', [id]);
    return rows.length > 0;
  }

  /**
   * The public profile: one row on the user's server. The follow counters
   * are kept next to the edge rows (follows-repository.ts), not counted.
   */
  async profile(id: string, fromPrimary: boolean): Promise<UserProfile | undefined> {
    const rows = await this.profileRows(id, fromPrimary);
    // A miss on a replica is retried on the primary: the user may be younger than the replica's lag.
    const found = rows.length === 0 && !fromPrimary && this.db.forId(id).replicaCount > 0 ? await this.profileRows(id, true) : rows;
    if (found.length === 0) return undefined;
    const row = found[0];
    return {
      id: row.id,
      username: row.username,
      createdAt: row.created_at,
      photoCount: row.photo_count,
      followerCount: row.follower_count,
      followingCount: row.following_count,
    };
  }

  private async profileRows(id: string, fromPrimary: boolean) {
    const { rows } = await this.db.forId(id).read<{
      id: string;
      username: string;
      created_at: IsoTimestamp;
      photo_count: number;
      follower_count: number;
      following_count: number;
    }>(
      'SELECT id, username, created_at, photo_count, follower_count, following_count FROM users WHERE id = $1',
      [id],
      fromPrimary,
    );
    return rows;
  }
}
