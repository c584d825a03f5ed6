import type { DatabaseCluster, DatabaseNode } from '../db/database-cluster';

/**
 * Follow edges. An edge is written to the follower's primary (the feed reads
 * "whom do I follow" there) and to the followee's primary (followerCount),
 * one row when they share a primary. Both writes are idempotent, so a retry
 * after a partial failure converges.
 */
export class FollowsRepository {
  constructor(private readonly db: DatabaseCluster) {}

  private nodes(followerId: string, followeeId: string): DatabaseNode[] {
    return [...new Set([this.db.forId(followerId), this.db.forId(followeeId)])];
  }

  /** True when the edge was new. */
  async follow(followerId: string, followeeId: string): Promise<boolean> {
    let created = false;
    for (const node of this.nodes(followerId, followeeId)) {
      const result = await node.query(
        'INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [followerId, followeeId],
      );
      created ||= (result.rowCount ?? 0) > 0;
    }
    return created;
  }

  /** True when an edge was removed. */
  async unfollow(followerId: string, followeeId: string): Promise<boolean> {
    let removed = false;
    for (const node of this.nodes(followerId, followeeId)) {
      const result = await node.query('DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
      removed ||= (result.rowCount ?? 0) > 0;
    }
    return removed;
  }

  /** Everyone who follows `userId` (from `userId`'s primary, which holds both sides of its edges). */
  async followers(userId: string): Promise<string[]> {
    const { rows } = await this.db.forId(userId).read<{ follower_id: string }>('SELECT follower_id FROM follows WHERE followee_id = $1', [userId]);
    return rows.map((row) => row.follower_id);
  }

  /** Everyone `userId` follows. */
  async followees(userId: string, fromPrimary: boolean): Promise<string[]> {
    const { rows } = await this.db
      .forId(userId)
      .read<{ followee_id: string }>('SELECT followee_id FROM follows WHERE follower_id = $1', [userId], fromPrimary);
    return rows.map((row) => row.followee_id);
  }
}
