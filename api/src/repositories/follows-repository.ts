import type { DatabaseCluster } from '../db/database-cluster';
import { shardOfId } from '../lib/ids';

/**
 * Follow edges, stored twice with one home each (migration 2): `following`
 * on the follower's shard (the feed reads "whom do I follow" there) and
 * `followers` on the followee's shard (fan-out, follower lists). Each side
 * also keeps its user's counter in the same transaction, on the same server.
 *
 * The two sides are two single-server transactions, follower's first. Both
 * are idempotent, so when the second fails the request fails and its retry
 * converges; until then the follower already sees the followee in the feed
 * and the followee's follower count lags by one (docs/sharding.md). Each
 * side goes through the cluster's fence-aware `transaction()`: a side whose
 * shard is moving waits (or fails with 503 shard_moving, nothing written on
 * that side).
 */
export class FollowsRepository {
  constructor(private readonly db: DatabaseCluster) {}

  /** True when the edge was new on either side. */
  async follow(followerId: string, followeeId: string): Promise<boolean> {
    const mine = await this.db.transaction(shardOfId(followerId), async (client) => {
      const inserted = await client.query('INSERT INTO following (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        followerId,
        followeeId,
      ]);
      if ((inserted.rowCount ?? 0) === 0) return false;
      await client.query('UPDATE users SET following_count = following_count + 1 WHERE id = $1', [followerId]);
      return true;
    });
    const theirs = await this.db.transaction(shardOfId(followeeId), async (client) => {
      const inserted = await client.query('INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        followeeId,
        followerId,
      ]);
      if ((inserted.rowCount ?? 0) === 0) return false;
      await client.query('UPDATE users SET follower_count = follower_count + 1 WHERE id = $1', [followeeId]);
      return true;
    });
    return mine || theirs;
  }

  /** True when an edge was removed on either side. */
  async unfollow(followerId: string, followeeId: string): Promise<boolean> {
    const mine = await this.db.transaction(shardOfId(followerId), async (client) => {
      const deleted = await client.query('DELETE FROM following WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
      if ((deleted.rowCount ?? 0) === 0) return false;
      await client.query('UPDATE users SET following_count = following_count - 1 WHERE id = $1', [followerId]);
      return true;
    });
    const theirs = await this.db.transaction(shardOfId(followeeId), async (client) => {
      const deleted = await client.query('DELETE FROM followers WHERE followee_id = $1 AND follower_id = $2', [followeeId, followerId]);
      if ((deleted.rowCount ?? 0) === 0) return false;
      await client.query('UPDATE users SET follower_count = follower_count - 1 WHERE id = $1', [followeeId]);
      return true;
    });
    return mine || theirs;
  }

  /** Everyone who follows `userId`, from `userId`'s server. */
  async followers(userId: string): Promise<string[]> {
    const { rows } = await this.db.forId(userId).read<{ follower_id: string }>('SELECT follower_id FROM followers WHERE followee_id = $1', [userId]);
    return rows.map((row) => row.follower_id);
  }

  /** Everyone `userId` follows, from `userId`'s server. */
  async followees(userId: string, fromPrimary: boolean): Promise<string[]> {
    const { rows } = await this.db
      .forId(userId)
      .read<{ followee_id: string }>('SELECT followee_id FROM following WHERE follower_id = $1', [userId], fromPrimary);
    return rows.map((row) => row.followee_id);
  }
}
