import { randomBytes } from 'node:crypto';
import type { ApiTarget } from '../../boot/support/api-calls';

/** How each write attempt ended: an HTTP status, or `refused` (nothing listening: the API is stopped). */
/** CloudFront's default origin response timeout. */
const ORIGIN_RESPONSE_TIMEOUT_MS = 30_000;

export type Outcome = number | 'refused' | 'timeout';

/** What a stage change may answer while the API is away: 503 from the API, or nothing listening. */
const API_UNAVAILABLE: readonly Outcome[] = [503, 'refused'];

/**
 * Writes through the API all along a stage change, a few a second (loopback
 * only, bounded by the rehearsal's length): each a sign-up, remembered when
 * the API acknowledged it (201). Afterwards every acknowledged user must be
 * there, whichever database serves by then; an answer other than 201 or an
 * `unavailable` one (503 or a refused connection when it talks to the API
 * itself; through CloudFront, also its 502 and 504 while no origin answers) —
 * a 500, say — is a failure of its own.
 */
export class WriteLedger {
  public readonly acknowledged: { readonly id: string; readonly username: string }[] = [];
  public readonly outcomes = new Map<Outcome, number>();
  private running?: Promise<void>;
  private stopping = false;
  private attempts = 0;

  public constructor(
    private readonly api: ApiTarget,
    private readonly intervalMs = 300,
    private readonly unavailable: readonly Outcome[] = API_UNAVAILABLE,
  ) {}

  public start(): void {
    this.stopping = false;
    this.running = this.loop();
  }

  public async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** One write now; true when acknowledged. */
  public async write(): Promise<boolean> {
    const username = `ledger_${randomBytes(5).toString('hex')}`;
    // Each write from another viewer, as CloudFront appends it: the API's per-address sign-up
    // limit is for one client, not for the whole site's traffic.
    const viewer = `198.51.100.${1 + (this.attempts++ % 250)}`;
    let outcome: Outcome;
    try {
      const response = await fetch(`${this.api.base}/api/users`, {
        method: 'POST',
        headers: { ...this.api.headers, 'content-type': 'application/json', 'x-forwarded-for': viewer },
        body: JSON.stringify({ username, password: 'correct horse battery' }),
        // CloudFront waits 30 s for an origin's response (its default origin response timeout)
        // before a viewer sees 504: a slower answer is a failure, a sign-up hashed slowly on a
        // busy CI machine is not (10 s timed out once while the two rehearsals ran side by side).
        signal: AbortSignal.timeout(ORIGIN_RESPONSE_TIMEOUT_MS),
      });
      outcome = response.status;
      if (response.status === 201) this.acknowledged.push({ id: ((await response.json()) as { id: string }).id, username });
      else await response.body?.cancel();
    } catch (error) {
      outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
    }
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    return outcome === 201;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      await this.write();
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** Answers other than acknowledged or unavailable. */
  public unexpectedOutcomes(): Record<string, number> {
    return Object.fromEntries([...this.outcomes].filter(([outcome]) => outcome !== 201 && !this.unavailable.includes(outcome)).map(([o, n]) => [String(o), n]));
  }

  /** Acknowledged users the API does not know now. */
  public async missing(): Promise<string[]> {
    const missing: string[] = [];
    for (const user of this.acknowledged) {
      const response = await fetch(`${this.api.base}/api/users/${user.id}`, { headers: this.api.headers, signal: AbortSignal.timeout(10_000) });
      const body = response.status === 200 ? ((await response.json()) as { username: string }) : undefined;
      if (body?.username !== user.username) missing.push(`${user.username} (${user.id}): ${response.status}`);
    }
    return missing;
  }

  public summary(): string {
    return `${this.acknowledged.length} acknowledged; outcomes ${JSON.stringify(Object.fromEntries([...this.outcomes].map(([o, n]) => [String(o), n])))}`;
  }
}
