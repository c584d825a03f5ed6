import type { PoolClient } from 'pg';
import type { DatabaseCluster } from '../db/database-cluster';
import { shardOfId } from '../../../contracts/ids';

/** The `following` row of an edge: the truth about whether it exists. */
const FOLLOWING_ROW_SQL = 'SELECT 1 FROM following WHERE follower_id = $1 AND followee_id = $2';

/** The two sides of a follow edge, each next to its user's counter. */
type Side = 'following' | 'followers';

/**
 * Sets one side of the edge `followerId -> followeeId` to `present` on the
 * server `client` is connected to, keeping that side's counter in the same
 * transaction. True when the side changed.
 */
async function setSide(client: PoolClient, side: Side, followerId: string, followeeId: string, present: boolean): Promise<boolean> {
  const [table, owner, other, counter] =
    side === 'following' ? ['following', followerId, followeeId, 'following_count'] : ['followers', followeeId, followerId, 'follower_count'];
  const [ownerColumn, otherColumn] = side === 'following' ? ['follower_id', 'followee_id'] : ['followee_id', 'follower_id'];
  const changed = present
    ? await client.query(`INSERT INTO ${table} (${ownerColumn}, ${otherColumn}) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [owner, other])
    : await client.query(`DELETE FROM ${table} WHERE ${ownerColumn} = $1 AND ${otherColumn} = $2`, [owner, other]);
  if ((changed.rowCount ?? 0) === 0) return false;
  await client.query(`UPDATE users SET ${counter} = ${counter} ${present ? '+' : '-'} 1 WHERE id = $1`, [owner]);
  return true;
}

/**
 * Serializes every change to one edge on the follower's server, for the
 * transaction: a transaction-scoped advisory lock on the ordered pair, so a
 * follow and an unfollow of the same pair never interleave, while A->B and
 * B->A (and other pairs) never wait on each other. It is never held while
 * waiting for a row lock another edge's transaction holds across servers,
 * so no deadlock spans two servers.
 */
async function lockEdge(client: PoolClient, followerId: string, followeeId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('graminsta.follow:' || $1 || ':' || $2, 0))`, [followerId, followeeId]);
}

/**
 * Follow edges, stored twice with one home each (migration 2): `following`
 * on the follower's shard (the feed reads "whom do I follow" there) and
 * `followers` on the followee's shard (fan-out, follower lists). Each side
 * also keeps its user's counter in the same transaction, on the same server.
 *
 * `following` is the truth; `followers` is derived from it:
 * - both users on one server: one transaction sets both sides (the pair
 *   locked, then both user rows in ID order, so opposite follows cannot deadlock);
 * - on two servers: (1) the follower's side in one transaction; (2) `sync`:
 *   on the follower's server, with the pair locked, read the committed
 *   `following` row and make the followee's side match it, in a transaction
 *   on the followee's server. Concurrent follows and unfollows of one pair
 *   run their steps in any order, but every sync reads the state left by all
 *   step 1s before it and the last one wins, so the sides always end equal.
 *   When a sync fails the request fails (503) with the sides unequal until
 *   the next follow, unfollow or retry of the pair syncs them (docs/sharding.md).
 * Every side goes through the cluster's fence-aware writes: a side whose
 * shard is moving waits (or fails with 503 shard_moving, nothing written).
 */
export class FollowsRepository {
  constructor(private readonly db: DatabaseCluster) {}

  /** True when the edge was new on either side. */
  follow(followerId: string, followeeId: string): Promise<boolean> {
    return this.setEdge(followerId, followeeId, true);
  }

  /** True when an edge was removed on either side. */
  unfollow(followerId: string, followeeId: string): Promise<boolean> {
    return this.setEdge(followerId, followeeId, false);
  }

  private async setEdge(followerId: string, followeeId: string, present: boolean): Promise<boolean> {
    const followeeShard = shardOfId(followeeId);
    const first = await this.db.write(shardOfId(followerId), (node) => {
      const together = this.db.forShard(followeeShard) === node;
      return node.transaction(async (client) => {
        await lockEdge(client, followerId, followeeId);
        if (together) await client.query('SELECT 1 FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [[followerId, followeeId]]);
        const mine = await setSide(client, 'following', followerId, followeeId, present);
        const theirs = together ? await setSide(client, 'followers', followerId, followeeId, present) : undefined;
        return { mine, theirs };
      });
    });
    if (first.theirs !== undefined) return first.mine || first.theirs;
    return (await this.sync(followerId, followeeId)) || first.mine;
  }

  /**
   * Makes the followee's side of the edge match the follower's committed
   * side (the repair path: idempotent, safe to run at any time). True when
   * it changed something.
   */
  async sync(followerId: string, followeeId: string): Promise<boolean> {
    const followeeShard = shardOfId(followeeId);
    return this.db.write(shardOfId(followerId), (node) =>
      node.transaction(async (client) => {
        await lockEdge(client, followerId, followeeId);
        const { rows } = await client.query(FOLLOWING_ROW_SQL, [followerId, followeeId]);
        const present = rows.length > 0;
        if (this.db.forShard(followeeShard) === node) return setSide(client, 'followers', followerId, followeeId, present);
        return this.db.transaction(followeeShard, (remote) => setSide(remote, 'followers', followerId, followeeId, present));
      }),
    );
  }

  /** Everyone who follows `userId`, from `userId`'s server. */
  async followers(userId: string): Promise<string[]> {
    const { rows } = await this.db.forId(userId).read<{ follower_id: string }>('SELECT follower_id FROM followers WHERE followee_id = $1', [userId]);
    return rows.map((row) => row.follower_id);
  }

  /** Whether `followerId` follows `followeeId`: the `following` side, on the follower's server (the truth). */
  async isFollowing(followerId: string, followeeId: string, fromPrimary: boolean): Promise<boolean> {
    const { rows } = await this.db
      .forId(followerId)
      .read(FOLLOWING_ROW_SQL, [followerId, followeeId], fromPrimary);
    return rows.length > 0;
  }

  /** Everyone `userId` follows, from `userId`'s server. */
  async followees(userId: string, fromPrimary: boolean): Promise<string[]> {
    const { rows } = await this.db
      .forId(userId)
      .read<{ followee_id: string }>('SELECT followee_id FROM following WHERE follower_id = $1', [userId], fromPrimary);
    return rows.map((row) => row.followee_id);
  }
}
