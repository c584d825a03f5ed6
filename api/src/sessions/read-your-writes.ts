import type { FastifyBaseLogger } from 'fastify';
import type { Session, SessionStore } from './session-store';

/**
 * Read-your-own-writes across instances: a session that wrote within
 * READ_YOUR_WRITES_MS reads from the primaries, so a replica's lag never hides
 * that user's own change from them. Writes are recorded on the session (in the
 * shared session store), so the instance serving the next read knows too.
 */
export class ReadYourWrites {
  constructor(
    private readonly sessions: Pick<SessionStore, 'markWrite'>,
    /** The servers; a write is recorded only when one of them has replicas to be behind. */
    private readonly servers: { readonly nodes: readonly { readonly replicaCount: number }[] },
    private readonly windowMs: number,
  ) {}

  /** Whether reads for this session must go to the primary (it wrote recently). */
  readsFromPrimary(session: Session | null): boolean {
    return session !== null && Date.now() - session.lastWriteAt < this.windowMs;
  }

  /** Records a write by the session holding `token`; a failure only costs a possibly stale read, so it is logged. */
  async recordWrite(token: string | null, log: FastifyBaseLogger): Promise<void> {
    // Only worth a round trip when there are replicas to be behind.
    if (!token || this.servers.nodes.every((node) => node.replicaCount === 0)) return;
    await this.sessions.markWrite(token).catch((error: unknown) => log.warn({ err: error }, 'could not record write time'));
  }
}
