import type { UserCache } from '../cache/user-cache';
import type { FeedFanout } from '../feed/feed-fanout';
import { badRequest, notFound } from '../lib/http-error';
import type { FollowsRepository } from '../repositories/follows-repository';
import type { UsersRepository } from '../repositories/users-repository';
import type { ReadYourWrites } from '../sessions/read-your-writes';
import type { Writer } from './writer';

export interface FollowServiceDeps {
  readonly users: UsersRepository;
  readonly follows: FollowsRepository;
  readonly readYourWrites: ReadYourWrites;
  /** Undefined without Redis (stages before 100k). */
  readonly userCache?: UserCache;
  /** Undefined without a queue (stages before 1m: feeds are pulled). */
  readonly feedFanout?: FeedFanout;
}

/**
 * Follow and unfollow, and what a changed edge sets off: both profiles'
 * cached views dropped (their counters changed), the write recorded on the
 * session, and with a queue the followee's recent photos copied into the
 * follower's feed. Nothing is set off when the edge was already as asked.
 */
export class FollowService {
  constructor(private readonly deps: FollowServiceDeps) {}

  async follow(writer: Writer, target: string): Promise<void> {
    const me = writer.userId;
    if (target === me) throw badRequest('cannot_follow_self', 'you cannot follow yourself');
    if (!(await this.deps.users.exists(target))) throw notFound('user');
    if (await this.deps.follows.follow(me, target)) await Promise.all([this.edgeChanged(writer, target), this.deps.feedFanout?.followed(me, target)]);
  }

  async unfollow(writer: Writer, target: string): Promise<void> {
    if (await this.deps.follows.unfollow(writer.userId, target)) await this.edgeChanged(writer, target);
  }

  private async edgeChanged(writer: Writer, target: string): Promise<void> {
    const { userCache, readYourWrites } = this.deps;
    await Promise.all([userCache?.invalidate(writer.userId), userCache?.invalidate(target), readYourWrites.recordWrite(writer.token, writer.log)]);
  }
}
