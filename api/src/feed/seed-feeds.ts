import type { DatabaseCluster } from '../db/database-cluster';
import type { FeedBackfillMessage } from '../../../contracts/job-messages';
import type { JobQueue } from '../queue/job-queue';

/** Follow edges read (and jobs sent) per step. */
const PAGE = 1000;

/**
 * Seeds precomputed feeds when the queue is switched on (100k → 1m): one
 * `feed.backfill` job per follow edge, read from every server's `following`
 * table in keyset order, so each follower's feed starts with the newest photos
 * of everyone they follow. Safe to run again (the jobs are idempotent) or
 * while the API serves. Rows a server holds for a shard it no longer owns
 * (a move not yet cleaned up) are skipped: the owner lists them.
 * Returns the number of jobs sent; `progress` is called after each page.
 */
export async function enqueueFeedSeeding(db: DatabaseCluster, queue: JobQueue, progress: (sent: number, server: string) => void = () => undefined): Promise<number> {
  let sent = 0;
  for (const node of db.nodes) {
    let after: [string, string] = ['0', '0'];
    for (;;) {
      const { rows } = await node.query<{ follower_id: string; followee_id: string }>(
        `SELECT follower_id, followee_id FROM following WHERE (follower_id, followee_id) > ($1::bigint, $2::bigint)
          ORDER BY follower_id, followee_id LIMIT $3`,
        [after[0], after[1], PAGE],
      );
      if (rows.length === 0) break;
      const jobs: FeedBackfillMessage[] = rows
        .filter((row) => db.forId(row.follower_id) === node)
        .map((row) => ({ type: 'feed.backfill', version: 1, followerId: row.follower_id, followeeId: row.followee_id }));
      await queue.send(jobs);
      sent += jobs.length;
      progress(sent, node.name);
      const last = rows[rows.length - 1];
      after = [last.follower_id, last.followee_id];
      if (rows.length < PAGE) break;
    }
  }
  return sent;
}
