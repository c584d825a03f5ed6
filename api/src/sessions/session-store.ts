/** What a valid token resolves to. */
export interface Session {
  readonly userId: string;
  /** When this session last made a write (ms), for read-your-own-writes routing. */
  readonly lastWriteAt: number;
}

/** Server-side sessions: any instance accepts any token. Tokens are stored only as their SHA-256. */
export interface SessionStore {
  /**
   * False while the store is known to be unreachable (Redis not connected):
   * log-in checks it before the deliberately slow password hash, so an outage
   * costs a 503 at once rather than a hash and then a failure.
   */
  available(): boolean;
  create(userId: string): Promise<string>;
  find(token: string): Promise<Session | undefined>;
  delete(token: string): Promise<void>;
  /** Records that this session just wrote, so its next reads go to the primary. */
  markWrite(token: string): Promise<void>;
  /**
   * Forgets a copy of the session this instance keeps in front of the store
   * that owns it, where there is one (Redis in front of PostgreSQL): stage
   * 10m's other region after forwarding a log-out home.
   */
  dropCopy?(token: string): Promise<void>;
}

/** Sessions last 30 days. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
