import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from '../../support/postgres-servers';
import { uniqueName } from '../support/http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = 'correct horse battery';
/** No request of the steady traffic may hang longer than this (a hung dependency must not hang the API). */
const REQUEST_TIMEOUT_MS = 10_000;

const running = new Set<SteadyTraffic>();

/** Stops every traffic still running (afterEach: a failed test must not leave its clients looping). */
export async function stopAllTraffic(): Promise<void> {
  await Promise.all([...running].map((traffic) => traffic.stop()));
}

/** One answered (or failed) request of the steady traffic. */
interface Outcome {
  readonly at: number;
  readonly operation: string;
  /** HTTP status, or 'network' when no answer came (connection refused or reset). */
  readonly status: number | 'network';
  readonly retryAfter: string | null;
}

/** Acknowledged writes: each must still be there after the fault. */
export interface Ledger {
  readonly photos: Map<string, { readonly userId: string; uploaded: boolean }>;
  readonly likes: Set<string>;
  readonly follows: Set<string>;
}

interface Client {
  readonly username: string;
  readonly id: string;
  token: string;
}

/**
 * Steady traffic against an API for fault tests: a few clients, each in a
 * loop creating a photo, uploading its bytes, liking someone's photo,
 * following someone and reading a profile, with a ledger of every write the
 * API acknowledged. Bounded: `clients` loops on loopback, a pause between
 * requests, every request capped at 10 s.
 */
export class SteadyTraffic {
  readonly ledger: Ledger = { photos: new Map(), likes: new Set(), follows: new Set() };
  readonly outcomes: Outcome[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly clients: Client[] = [];
  private readonly targets: string[] = [];

  constructor(
    /** The API's base URL (a getter: a restarted API may be the same URL or not). */
    private readonly base: () => string,
    private readonly options: { clients?: number; pauseMs?: number } = {},
  ) {}

  /** Signs up the clients and the users they follow (before the fault: these are not measured). */
  async prepare(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const username = uniqueName('target');
      const created = await this.raw('POST', '/api/users', { body: { username, password: PASSWORD } });
      if (created.status !== 201) throw new Error(`sign-up failed: ${created.status}`);
      this.targets.push(created.body.id);
    }
    for (let i = 0; i < (this.options.clients ?? 4); i++) {
      const username = uniqueName('steady');
      const created = await this.raw('POST', '/api/users', { body: { username, password: PASSWORD } });
      const session = await this.raw('POST', '/api/sessions', { body: { username, password: PASSWORD } });
      if (created.status !== 201 || session.status !== 201) throw new Error(`client set-up failed: ${created.status} ${session.status}`);
      this.clients.push({ username, id: created.body.id, token: session.body.token });
    }
  }

  start(): void {
    this.running = true;
    running.add(this);
    this.loops = this.clients.map((client) => this.loop(client));
  }

  async stop(): Promise<void> {
    this.running = false;
    running.delete(this);
    await Promise.all(this.loops);
  }

  /** Marks the moment from which outcomes count as "after the fault". */
  now(): number {
    return Date.now();
  }

  private async raw(method: string, path: string, options: { body?: unknown; token?: string; bytes?: Buffer; contentType?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (options.bytes) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      body = new Uint8Array(options.bytes);
    }
    const response = await fetch(this.base() + path, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const parsed = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    return { status: response.status, body: parsed, retryAfter: response.headers.get('retry-after') };
  }

  /** One request of the traffic, recorded; undefined when no answer came. */
  private async request(operation: string, method: string, path: string, options: Parameters<SteadyTraffic['raw']>[2] = {}) {
    try {
      const response = await this.raw(method, path, options);
      this.outcomes.push({ at: Date.now(), operation, status: response.status, retryAfter: response.retryAfter });
      return response;
    } catch {
      this.outcomes.push({ at: Date.now(), operation, status: 'network', retryAfter: null });
      return undefined;
    }
  }

  private async loop(client: Client): Promise<void> {
    const pause = this.options.pauseMs ?? 20;
    const bytes = Buffer.alloc(4096, client.id.length);
    for (let round = 0; this.running; round++) {
      const photos = [...this.ledger.photos.keys()];
      const steps: (() => Promise<{ status: number } | undefined>)[] = [
        async () => {
          const created = await this.request('create photo', 'POST', '/api/photos', { token: client.token, body: { caption: `r${round}`, contentType: 'image/png', size: bytes.length } });
          if (created?.status !== 201) return created;
          const id = created.body.photo.id as string;
          this.ledger.photos.set(id, { userId: client.id, uploaded: false });
          const uploaded = await this.request('upload', 'PUT', `/api/photos/${id}/content`, { token: client.token, bytes, contentType: 'image/png' });
          if (uploaded?.status === 204) this.ledger.photos.get(id)!.uploaded = true;
          return uploaded;
        },
        async () => {
          if (photos.length === 0) return undefined;
          const photo = photos[(round * 7 + client.id.length) % photos.length];
          const liked = await this.request('like', 'PUT', `/api/photos/${photo}/like`, { token: client.token });
          if (liked?.status === 204) this.ledger.likes.add(`${photo}:${client.id}`);
          return liked;
        },
        async () => {
          const target = this.targets[(round + client.username.length) % this.targets.length];
          const followed = await this.request('follow', 'PUT', `/api/users/${target}/follow`, { token: client.token });
          if (followed?.status === 204) this.ledger.follows.add(`${client.id}:${target}`);
          return followed;
        },
        () => this.request('read profile', 'GET', `/api/users/${this.targets[round % this.targets.length]}`),
      ];
      for (const step of steps) {
        if (!this.running) return;
        const answer = await step();
        if (answer?.status === 401) {
          // Sessions lived in a Redis that came back empty: log in again, as a client would.
          const session = await this.request('log in again', 'POST', '/api/sessions', { body: { username: client.username, password: PASSWORD } });
          if (session?.status === 201) client.token = (session as { body: { token: string } }).body.token;
        }
        await sleep(answer === undefined || answer.status >= 500 ? pause * 5 : pause);
      }
    }
  }
}

/** What the fault table reports for one fault. */
export interface FaultReport {
  readonly fault: string;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  /** 5xx and unanswered requests between the fault's start and the end of the run. */
  readonly errors: number;
  /** 5xx answers without a Retry-After header (must be 0). */
  readonly withoutRetryAfter: number;
  /** 500s (must be 0: errors during a fault are 503). */
  readonly internalErrors: number;
  /** From the fault's start to the dependency's return (the API's, for a kill: restarted and healthy). */
  readonly faultMs: number;
  /** From the dependency's return to the last error after it (0 when none came after). */
  readonly recoveryMs: number;
  readonly writesAcknowledged: number;
  readonly writesLost: number;
}

export function summarize(fault: string, traffic: SteadyTraffic, faultStart: number, dependencyBack: number, writesLost: number): FaultReport {
  const byStatus: Record<string, number> = {};
  for (const outcome of traffic.outcomes) byStatus[String(outcome.status)] = (byStatus[String(outcome.status)] ?? 0) + 1;
  const isError = (o: Outcome) => o.status === 'network' || o.status >= 500;
  const errors = traffic.outcomes.filter((o) => o.at >= faultStart && isError(o));
  const after = errors.filter((o) => o.at > dependencyBack);
  const ledger = traffic.ledger;
  const report: FaultReport = {
    fault,
    requests: traffic.outcomes.length,
    byStatus,
    errors: errors.length,
    withoutRetryAfter: traffic.outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500 && !o.retryAfter).length,
    internalErrors: traffic.outcomes.filter((o) => o.status === 500).length,
    faultMs: dependencyBack - faultStart,
    recoveryMs: after.length === 0 ? 0 : Math.max(...after.map((o) => o.at)) - dependencyBack,
    writesAcknowledged: ledger.photos.size + [...ledger.photos.values()].filter((p) => p.uploaded).length + ledger.likes.size + ledger.follows.size,
    writesLost,
  };
  const dir = join(__dirname, '..', '..', '..', 'test-results', 'faults');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${fault.replace(/[^a-z0-9]+/gi, '-')}.json`), `${JSON.stringify(report, null, 2)}\n`);
  // eslint-disable-next-line no-console
  console.log(`fault "${fault}": ${report.requests} requests ${JSON.stringify(byStatus)}, ${report.errors} errors over a ${report.faultMs} ms fault, recovery ${report.recoveryMs} ms, ${report.writesLost} of ${report.writesAcknowledged} acknowledged writes lost`);
  return report;
}

/**
 * After the traffic: every acknowledged write is in the database (and every
 * acknowledged upload on disk), every counter equals COUNT(*) of its rows,
 * and the media directory holds exactly the ready photos' files, no part
 * files. Returns what was lost and what is inconsistent.
 */
export async function verify(databaseUrl: string, dataDir: string, ledger: Ledger): Promise<{ lost: string[]; inconsistent: string[] }> {
  const lost: string[] = [];
  const inconsistent: string[] = [];
  const photoIds = [...ledger.photos.keys()];
  const photos = await sql<{ id: string; user_id: string; status: string }>(databaseUrl, 'SELECT id::text, user_id::text, status FROM photos WHERE id = ANY($1::bigint[])', [photoIds]);
  const found = new Map(photos.map((p) => [p.id, p]));
  for (const [id, entry] of ledger.photos) {
    const row = found.get(id);
    if (!row) lost.push(`photo ${id}`);
    else if (entry.uploaded && row.status !== 'ready') lost.push(`upload of photo ${id} (status ${row.status})`);
    if (entry.uploaded && !existsSync(join(dataDir, 'media', 'originals', entry.userId, id))) lost.push(`bytes of photo ${id}`);
  }
  for (const like of ledger.likes) {
    const [photo, user] = like.split(':');
    if ((await sql(databaseUrl, 'SELECT 1 FROM likes WHERE photo_id = $1 AND user_id = $2', [photo, user])).length === 0) lost.push(`like ${like}`);
  }
  for (const follow of ledger.follows) {
    const [follower, followee] = follow.split(':');
    if ((await sql(databaseUrl, 'SELECT 1 FROM following WHERE follower_id = $1 AND followee_id = $2', [follower, followee])).length === 0) lost.push(`following ${follow}`);
    if ((await sql(databaseUrl, 'SELECT 1 FROM followers WHERE followee_id = $1 AND follower_id = $2', [followee, follower])).length === 0) lost.push(`followers ${follow}`);
  }
  const counters = await sql<{ what: string }>(
    databaseUrl,
    `SELECT 'photo_count of ' || u.id AS what FROM users u WHERE u.photo_count <> (SELECT count(*) FROM photos p WHERE p.user_id = u.id)
     UNION ALL SELECT 'following_count of ' || u.id FROM users u WHERE u.following_count <> (SELECT count(*) FROM following f WHERE f.follower_id = u.id)
     UNION ALL SELECT 'follower_count of ' || u.id FROM users u WHERE u.follower_count <> (SELECT count(*) FROM followers f WHERE f.followee_id = u.id)
     UNION ALL SELECT 'like_count of ' || p.id FROM photos p WHERE p.like_count <> (SELECT count(*) FROM likes l WHERE l.photo_id = p.id)
     UNION ALL SELECT 'half edge ' || f.follower_id || '->' || f.followee_id FROM following f
       WHERE NOT EXISTS (SELECT 1 FROM followers r WHERE r.followee_id = f.followee_id AND r.follower_id = f.follower_id)
     UNION ALL SELECT 'half edge ' || r.follower_id || '->' || r.followee_id FROM followers r
       WHERE NOT EXISTS (SELECT 1 FROM following f WHERE f.followee_id = r.followee_id AND f.follower_id = r.follower_id)`,
  );
  inconsistent.push(...counters.map((row) => row.what));
  // Files on disk against rows, both ways. A pending photo may hold a file (its upload's
  // commit was cut by the fault): it is not served, and a retry or the abandoned-photo sweep replaces or removes it.
  const rows = await sql<{ key: string; status: string }>(databaseUrl, `SELECT user_id || '/' || id AS key, status FROM photos`);
  const ready = new Set(rows.filter((r) => r.status === 'ready').map((r) => r.key));
  const anyRow = new Set(rows.map((r) => r.key));
  const originals = join(dataDir, 'media', 'originals');
  const files = existsSync(originals) ? readdirSync(originals).flatMap((user) => readdirSync(join(originals, user)).map((photo) => `${user}/${photo}`)) : [];
  for (const file of files) if (!anyRow.has(file)) inconsistent.push(`file without a photo: ${file}`);
  for (const key of ready) if (!files.includes(key)) inconsistent.push(`ready photo without its file: ${key}`);
  const incoming = join(dataDir, 'media', '.incoming');
  if (existsSync(incoming)) for (const part of readdirSync(incoming)) inconsistent.push(`part file left: ${part}`);
  return { lost, inconsistent };
}

export { sleep };
