import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseCluster } from '../db/database-cluster';

/**
 * The authors whose photos the worker does not fan out: more than
 * `threshold` followers (`users.follower_count`, the worker's own test in
 * FeedWriter). Every fan-out feed page pulls the newest photos of those the
 * reader follows (FeedReader); finding them per request meant loading all of
 * the reader's followees and checking each one's count on every server
 * holding some (200 IDs for the benchmark's reader). The set is small
 * (accounts with more than 10 000 followers) and changes rarely, so each API
 * process reads it whole from every server (on a replica where there is one)
 * and keeps it `refreshMs`.
 *
 * Stale by at most `refreshMs` plus one read (the same bound for every
 * instance): an author who has just crossed the threshold is skipped by the
 * worker at once but pulled by the API only after the next refresh, so their
 * newest photos reach feeds up to that late (fan-out itself is asynchronous;
 * docs/queue.md). An author who has just fallen under it is both fanned out
 * and pulled meanwhile, and the page drops the duplicates.
 *
 * A stale set is served while one refresh runs in the background (requests
 * never wait for it); only the first read of a process waits. A failed
 * refresh keeps the last set and is retried by the next request. `refreshMs`
 * 0 reads the set on every call (tests that change follower counts).
 */
export class CelebritySet {
  private current: { readonly ids: readonly string[]; readonly readAt: number } | undefined;
  private refreshing: Promise<readonly string[]> | undefined;

  constructor(
    private readonly db: DatabaseCluster,
    private readonly threshold: number,
    private readonly refreshMs: number,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The celebrity IDs, on every server together. */
  async ids(): Promise<readonly string[]> {
    const current = this.current;
    if (this.refreshMs === 0 || current === undefined) return this.refresh();
    if (this.now() - current.readAt >= this.refreshMs) {
      this.refresh().catch((error: unknown) => this.log.warn({ err: error }, 'celebrity set: refresh failed, the previous set is kept'));
    }
    return current.ids;
  }

  /** One read at a time: concurrent callers share it. */
  private refresh(): Promise<readonly string[]> {
    this.refreshing ??= this.read().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async read(): Promise<readonly string[]> {
    const readAt = this.now();
    // A sequential scan of `users` per server: no index on follower_count, whose updates (every follow) stay HOT without one.
    const perNode = await Promise.all(
      this.db.nodes.map((node) => node.read<{ id: string }>('SELECT id FROM users WHERE follower_count > $1', [this.threshold], false)),
    );
    // A server may still hold rows of a shard it gave away (a move not yet cleaned up): only the owner's count.
    const ids = perNode.flatMap((result, i) => result.rows.map((row) => row.id).filter((id) => this.db.forId(id) === this.db.nodes[i]));
    this.current = { ids, readAt };
    return ids;
  }
}
