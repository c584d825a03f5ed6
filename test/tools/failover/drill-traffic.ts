import { sql } from '../../support/postgres-servers';

/** One answered (or failed) request of the drill's traffic. */
export interface DrillOutcome {
  readonly at: number;
  readonly write: boolean;
  /** HTTP status, or 'network' when no answer came. */
  readonly status: number | 'network';
}

/** An acknowledged write: a photo created (`photo:<id>`) or a follow (`follow:<follower>:<followee>`), and when its answer came. */
export interface LedgerEntry {
  readonly key: string;
  readonly at: number;
}

const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Steady mixed traffic for the region drills, through the latency router:
 * a few clients, each in a loop creating a photo, following a user and
 * reading a profile, with a ledger of every write the API acknowledged and
 * when. Bounded: `clients` loops on loopback, a pause between requests, each
 * request capped at 5 s.
 */
export class DrillTraffic {
  readonly ledger: LedgerEntry[] = [];
  readonly outcomes: DrillOutcome[] = [];
  private readonly clients: { id: string; token: string }[] = [];
  private readonly targets: string[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly base: () => string,
    private readonly options: { clients?: number; pauseMs?: number } = {},
  ) {}

  async prepare(): Promise<void> {
    const signUp = async (prefix: string) => {
      const username = `${prefix}${Math.random().toString(36).slice(2, 10)}`;
      const created = await this.send('POST', '/api/users', { body: { username, password: PASSWORD } });
      if (created.status !== 201) throw new Error(`sign-up failed: ${created.status}`);
      return { username, id: String(created.body.id) };
    };
    for (let i = 0; i < 8; i++) this.targets.push((await signUp('target')).id);
    for (let i = 0; i < (this.options.clients ?? 4); i++) {
      const { username, id } = await signUp('drill');
      const session = await this.send('POST', '/api/sessions', { body: { username, password: PASSWORD } });
      if (session.status !== 201) throw new Error(`log-in failed: ${session.status}`);
      this.clients.push({ id, token: String(session.body.token) });
    }
  }

  start(): void {
    this.running = true;
    this.loops = this.clients.map((client, index) => this.loop(client, index));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async send(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.base() + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    const body = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : {};
    return { status: response.status, body };
  }

  private async request(write: boolean, method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    try {
      const response = await this.send(method, path, options);
      this.outcomes.push({ at: Date.now(), write, status: response.status });
      return response;
    } catch {
      this.outcomes.push({ at: Date.now(), write, status: 'network' });
      return undefined;
    }
  }

  private async loop(client: { id: string; token: string }, index: number): Promise<void> {
    const pause = this.options.pauseMs ?? 20;
    for (let round = 0; this.running; round++) {
      const created = await this.request(true, 'POST', '/api/photos', { token: client.token, body: { caption: `drill ${round}`, contentType: 'image/png', size: 1024 } });
      if (created?.status === 201) this.ledger.push({ key: `photo:${created.body.photo.id}`, at: Date.now() });
      await sleep(pause);
      // Each round follows the next target; a follow already made is answered 204 as well (idempotent), and counted once.
      const target = this.targets[(round + index) % this.targets.length];
      const followed = await this.request(true, 'PUT', `/api/users/${target}/follow`, { token: client.token });
      if (followed?.status === 204 && !this.ledger.some((entry) => entry.key === `follow:${client.id}:${target}`)) this.ledger.push({ key: `follow:${client.id}:${target}`, at: Date.now() });
      await sleep(pause);
      await this.request(false, 'GET', `/api/users/${target}`);
      await sleep(created === undefined || (created.status >= 500) ? pause * 5 : pause);
    }
  }
}

/** The ledger's keys present on a region's servers (every shard's server is asked: rows live on their owner's shard). */
export async function presentKeys(urls: readonly string[], ledger: readonly LedgerEntry[]): Promise<Set<string>> {
  const photoIds = ledger.filter((e) => e.key.startsWith('photo:')).map((e) => e.key.slice('photo:'.length));
  const present = new Set<string>();
  for (const url of urls) {
    for (const row of await sql<{ id: string }>(url, 'SELECT id::text AS id FROM photos WHERE id = ANY($1::bigint[])', [photoIds])) present.add(`photo:${row.id}`);
    for (const row of await sql<{ key: string }>(url, `SELECT 'follow:' || follower_id || ':' || followee_id AS key FROM following`)) present.add(row.key);
  }
  return present;
}
