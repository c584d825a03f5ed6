import { Client } from 'pg';
import { PostgresJobQueue } from '../../api/src/queue/postgres-job-queue';
import { shardOfId } from '../../contracts/ids';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, newUser } from './support/http';
import { startTestApp, type TestApp } from '../support/api-server';
import { killAllWorkers, startWorker, workerBundle, type RunningWorker } from './support/worker-process';

/**
 * The queue worker as shipped (the dist/api/worker.js bundle, child
 * processes) on the PostgreSQL queue, with the API in-process, over two real
 * PostgreSQL servers (primary-0 and primary-1, shards split evenly).
 */
jest.setTimeout(120_000);

type User = { id: string; username: string; token: string };

let pgs: TestPostgres[] = [];
let api: TestApp;
let env: Record<string, string>;
const inspect: Client[] = [];

/** Polls `probe` until it returns a value other than undefined (bounded). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Index (0 or 1) of the server holding this user's shard. */
function serverOf(id: string): number {
  return api.app.db.forId(id).index;
}

/** A new user whose home is server `index`. */
async function userOn(index: number, prefix: string): Promise<User> {
  for (let i = 0; i < 60; i++) {
    const user = await newUser(api.url, prefix);
    if (serverOf(user.id) === index) return user;
  }
  throw new Error(`no user landed on server ${index} in 60 sign-ups`);
}

async function post(user: User): Promise<string> {
  const created = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'c', contentType: 'image/png', size: 1 } });
  expect(created.status).toBe(201);
  return created.body.photo.id as string;
}

async function follow(follower: User, followee: User): Promise<void> {
  expect((await call(api.url, 'PUT', `/api/users/${followee.id}/follow`, { token: follower.token })).status).toBe(204);
}

async function feed(user: User, query = ''): Promise<{ items: { id: string }[]; nextCursor: string | null }> {
  const response = await call(api.url, 'GET', `/api/feed${query}`, { token: user.token });
  expect(response.status).toBe(200);
  return response.body;
}

/** feed_entries rows for a photo on each server, as [server, user_id] pairs. */
async function entriesFor(photoId: string): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for (const [index, client] of inspect.entries()) {
    const { rows } = await client.query<{ user_id: string }>('SELECT user_id FROM feed_entries WHERE photo_id = $1 ORDER BY user_id', [photoId]);
    out.push(...rows.map((row): [number, string] => [index, row.user_id]));
  }
  return out.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
}

async function queueEmpty(): Promise<boolean> {
  const { rows } = await inspect[0].query<{ n: string }>('SELECT count(*) AS n FROM jobs');
  return rows[0].n === '0';
}

const doneLine = (type: string) => (line: Record<string, unknown>) => line.msg === 'job done' && line.type === type;

beforeAll(async () => {
  workerBundle(); // build once, up front
  pgs = await Promise.all([startPostgres(), startPostgres()]);
  env = {
    SHARD_DATABASE_URLS: pgs.map((pg) => pg.url).join(','),
    QUEUE: 'postgres',
    QUEUE_POLL_MS: '50',
    QUEUE_MAX_ATTEMPTS: '3',
    QUEUE_VISIBILITY_TIMEOUT_MS: '10000',
    WORKER_JOB_TIMEOUT_MS: '5000',
    FEED_CELEBRITY_FOLLOWERS: '3',
    // Follower counts change mid-test: the API reads the celebrity set on every feed read.
    FEED_CELEBRITY_REFRESH_MS: '0',
    // A write to a frozen shard waits this long inside the job before the job fails.
    SHARD_WRITE_WAIT_MS: '300',
  };
  api = await startTestApp(env);
  for (const pg of pgs) {
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    inspect.push(client);
  }
});

afterAll(async () => {
  await killAllWorkers();
  await Promise.all(inspect.map((client) => client.end()));
  await api?.close();
  await Promise.all(pgs.map((pg) => pg.stop()));
});

describe('worker: jobs on a running worker', () => {
  let worker: RunningWorker;
  beforeAll(() => {
    worker = startWorker(env);
  });
  afterAll(async () => {
    expect(await worker.stop()).toBe(0);
  });

  test('feed.fanout writes one feed_entries row per follower, each on that follower’s own server, and the feed serves it', async () => {
    const author = await userOn(0, 'auth');
    const near = await userOn(0, 'near');
    const far = await userOn(1, 'far');
    await follow(near, author);
    await follow(far, author);
    const photo = await post(author);
    const rows = await until(async () => {
      const found = await entriesFor(photo);
      return found.length >= 2 ? found : undefined;
    }, 'fan-out rows');
    expect(rows).toEqual([
      [0, near.id],
      [1, far.id],
    ]);
    expect((await feed(far)).items.map((p) => p.id)).toEqual([photo]);
    expect((await feed(near)).items.map((p) => p.id)).toEqual([photo]);
  });

  test('a celebrity’s photo (more than FEED_CELEBRITY_FOLLOWERS followers) is not fanned out, yet appears in feeds merged newest first', async () => {
    const celebrity = await userOn(1, 'celeb');
    const friend = await userOn(0, 'friend');
    const fans = [await userOn(0, 'fan'), await userOn(1, 'fan'), await userOn(0, 'fan'), await userOn(1, 'fan')];
    for (const fan of fans) await follow(fan, celebrity);
    await follow(fans[0], friend);
    const before = worker.lines.length;
    const older = await post(friend);
    const famous = await post(celebrity);
    const newer = await post(friend);
    await until(async () => (worker.lines.slice(before).filter(doneLine('feed.fanout')).length >= 3 ? true : undefined), 'three fan-outs');
    const skipped = worker.lines.slice(before).find((line) => doneLine('feed.fanout')(line) && String(line.outcome).startsWith('skipped: celebrity'));
    expect(skipped).toBeDefined();
    expect(await entriesFor(famous)).toEqual([]);
    expect((await entriesFor(newer)).map(([, user]) => user)).toEqual([fans[0].id]);
    // Every fan sees the celebrity's photo; fans[0] sees it between the friend's two, page by page.
    for (const fan of fans.slice(1)) expect((await feed(fan)).items.map((p) => p.id)).toEqual([famous]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await feed(fans[0], `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([newer, famous, older]);
  });

  test('feed.backfill copies a new followee’s recent photos; feed.retract removes a deleted photo everywhere; an unfollow hides at once', async () => {
    const author = await userOn(1, 'late');
    const reader = await userOn(0, 'reader');
    const first = await post(author);
    const second = await post(author);
    await follow(reader, author);
    // (The photos' own fan-out jobs may run after the follow too: either way, one row each.)
    await until(async () => ((await entriesFor(first)).length + (await entriesFor(second)).length === 2 ? true : undefined), 'backfill');
    expect(await entriesFor(first)).toEqual([[0, reader.id]]);
    expect(await entriesFor(second)).toEqual([[0, reader.id]]);
    expect((await feed(reader)).items.map((p) => p.id)).toEqual([second, first]);

    expect((await call(api.url, 'DELETE', `/api/photos/${second}`, { token: author.token })).status).toBe(204);
    // The read already skips the deleted photo; the retraction then removes its rows.
    expect((await feed(reader)).items.map((p) => p.id)).toEqual([first]);
    await until(async () => ((await entriesFor(second)).length === 0 ? true : undefined), 'retraction');

    expect((await call(api.url, 'DELETE', `/api/users/${author.id}/follow`, { token: reader.token })).status).toBe(204);
    expect((await feed(reader)).items).toEqual([]);
  });

  test('photo.ready marks a pending photo ready (idempotently: sent twice)', async () => {
    const owner = await userOn(1, 'owner');
    const photo = await post(owner);
    expect((await call(api.url, 'GET', `/api/photos/${photo}`)).body.status).toBe('pending');
    const queue = new PostgresJobQueue(api.app.db.nodes[0], { visibilityTimeoutMs: 10_000 });
    const before = worker.lines.length;
    await queue.send([{ type: 'photo.ready', version: 1, photoId: photo }, { type: 'photo.ready', version: 1, photoId: photo }]);
    await until(async () => (worker.lines.slice(before).filter(doneLine('photo.ready')).length === 2 ? true : undefined), 'two photo.ready jobs');
    expect(worker.lines.slice(before).filter(doneLine('photo.ready')).map((line) => line.outcome).sort()).toEqual(['already ready or deleted', 'marked ready']);
    expect((await call(api.url, 'GET', `/api/photos/${photo}`)).body.status).toBe('ready');
  });

  test('a malformed job goes to jobs_dead at once, without retries', async () => {
    const { rows } = await inspect[0].query<{ id: string }>(`INSERT INTO jobs (type, body) VALUES ('bogus', '{"type":"bogus","version":1}') RETURNING id`);
    const dead = await until(async () => {
      const found = await inspect[0].query('SELECT attempts, last_error FROM jobs_dead WHERE id = $1', [rows[0].id]);
      return found.rows[0] as { attempts: number; last_error: string } | undefined;
    }, 'the dead letter');
    expect(dead).toEqual({ attempts: 1, last_error: 'InvalidMessageError: unknown type "bogus"' });
  });
});

describe('worker: failures', () => {
  /** Holds the lock on one feed_entries key on a server, so a fan-out writing it blocks there (mid-job). */
  async function holdEntry(server: number, userId: string, photoId: string, authorId: string): Promise<Client> {
    const client = new Client({ connectionString: pgs[server].url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO feed_entries (user_id, photo_id, author_id, created_at) VALUES ($1, $2, $3, now())', [userId, photoId, authorId]);
    return client;
  }

  async function blockedOnEntry(server: number): Promise<true | undefined> {
    const { rows } = await inspect[server].query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO feed_entries%'`,
    );
    return rows[0].n !== '0' ? true : undefined;
  }

  test('a worker SIGKILLed in the middle of a fan-out: the job is delivered again after its visibility deadline and completes once (no duplicate rows)', async () => {
    const author = await userOn(0, 'kauth');
    const near = await userOn(0, 'knear');
    const far = await userOn(1, 'kfar');
    await follow(near, author);
    await follow(far, author);
    const drain = startWorker(env); // clears the backfill jobs of those follows
    await until(async () => ((await queueEmpty()) ? true : undefined), 'an empty queue');
    expect(await drain.stop()).toBe(0);

    const photo = await post(author);
    const lock = await holdEntry(1, far.id, photo, author.id);
    const doomed = startWorker(env);
    await until(() => blockedOnEntry(1), 'the worker blocked mid-job');
    const claimed = await inspect[0].query<{ attempts: number; visible_at: Date }>('SELECT attempts, visible_at FROM jobs');
    expect(claimed.rows).toEqual([{ attempts: 1, visible_at: expect.any(Date) }]);
    await doomed.kill();
    expect(doomed.lines.filter((line) => line.msg === 'job done' || String(line.msg).startsWith('job failed'))).toEqual([]);
    await lock.query('ROLLBACK');
    await lock.end();

    const successor = startWorker(env);
    const done = await successor.waitFor(doneLine('feed.fanout'), 40_000);
    expect(done.attempt).toBeGreaterThanOrEqual(2);
    // Not before the dead worker's deadline.
    expect(Date.now()).toBeGreaterThanOrEqual(claimed.rows[0].visible_at.getTime() - 1000);
    expect(await entriesFor(photo)).toEqual([
      [0, near.id],
      [1, far.id],
    ]);
    expect(await queueEmpty()).toBe(true);
    expect((await inspect[0].query(`SELECT 1 FROM jobs_dead WHERE body ->> 'photoId' = $1`, [photo])).rows).toEqual([]);
    expect(await successor.stop()).toBe(0);
  });

  test('SIGTERM drains: the worker stops taking jobs, finishes the one in flight, and exits 0', async () => {
    const author = await userOn(0, 'dauth');
    const far = await userOn(1, 'dfar');
    await follow(far, author);
    const drain = startWorker(env);
    await until(async () => ((await queueEmpty()) ? true : undefined), 'an empty queue');
    expect(await drain.stop()).toBe(0);

    const photo = await post(author);
    const lock = await holdEntry(1, far.id, photo, author.id);
    const worker = startWorker(env);
    await until(() => blockedOnEntry(1), 'the worker blocked mid-job');
    const stopped = worker.stop();
    await worker.waitFor((line) => line.msg === 'SIGTERM: draining');
    let exited = false;
    void worker.exited.then(() => (exited = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exited).toBe(false);
    await lock.query('ROLLBACK');
    await lock.end();
    expect(await stopped).toBe(0);
    expect(worker.lines.some(doneLine('feed.fanout'))).toBe(true);
    expect(await queueEmpty()).toBe(true);
    expect(await entriesFor(photo)).toEqual([[1, far.id]]);
  });

  test('a job that keeps failing (its follower’s shard frozen) lands in jobs_dead after QUEUE_MAX_ATTEMPTS (3) attempts', async () => {
    const author = await userOn(0, 'fauth');
    const far = await userOn(1, 'ffar');
    await follow(far, author);
    const worker = startWorker(env);
    await until(async () => ((await queueEmpty()) ? true : undefined), 'an empty queue');
    const shard = shardOfId(far.id);
    await inspect[1].query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'frozen', 'primary-0', 'worker-test')`, [shard]);
    try {
      const photo = await post(author);
      const dead = await until(async () => {
        const found = await inspect[0].query(`SELECT attempts, last_error FROM jobs_dead WHERE body ->> 'photoId' = $1`, [photo]);
        return found.rows[0] as { attempts: number; last_error: string } | undefined;
      }, 'the dead letter');
      expect(dead.attempts).toBe(3);
      expect(dead.last_error).toBe(`ShardMovingError: logical shard ${shard} is moving to another server, retry in a moment`);
      // The dead letter can be visible before the worker's third log line has reached us (a pipe).
      const failures = () => worker.lines.filter((line) => String(line.msg).startsWith('job failed') && line.type === 'feed.fanout');
      await until(async () => (failures().length >= 3 ? true : undefined), 'the third failure logged');
      expect(failures()).toHaveLength(3);
      expect(await queueEmpty()).toBe(true);
    } finally {
      await inspect[1].query('DELETE FROM shard_moves WHERE run_id = $1', ['worker-test']);
      expect(await worker.stop()).toBe(0);
    }
  });

  test('the worker follows shard moves like the API: a follower whose shard moved gets the row on the new server', async () => {
    const author = await userOn(0, 'mauth');
    const far = await userOn(1, 'mfar');
    await follow(far, author);
    const worker = startWorker({ ...env, SHARD_MOVES_REFRESH_MS: '200' });
    await until(async () => ((await queueEmpty()) ? true : undefined), 'an empty queue');
    const shard = shardOfId(far.id);
    // As tools/reshard leaves it after a flip: the source says "moved to primary-0" (no data copied here: only routing is under test).
    await inspect[1].query(`INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'moved', 'primary-0', 'worker-test-moved')`, [shard]);
    try {
      const photo = await post(author);
      await until(async () => ((await entriesFor(photo)).length > 0 ? true : undefined), 'the fan-out row');
      expect(await entriesFor(photo)).toEqual([[0, far.id]]);
    } finally {
      await inspect[1].query('DELETE FROM shard_moves WHERE run_id = $1', ['worker-test-moved']);
      await inspect[0].query('DELETE FROM feed_entries WHERE user_id = $1', [far.id]);
      expect(await worker.stop()).toBe(0);
    }
  });

  test('--seed-feeds (switching the queue on) queues a feed.backfill per follow edge; once run, existing photos are in the feeds', async () => {
    const reader = await userOn(0, 'sreader');
    const far = await userOn(1, 'sfar');
    const near = await userOn(0, 'snear');
    const photos = [await post(far), await post(near), await post(far)];
    await follow(reader, far);
    await follow(reader, near);
    // As before the queue existed: nothing queued, no precomputed rows.
    await inspect[0].query('DELETE FROM jobs');
    for (const client of inspect) await client.query('DELETE FROM feed_entries WHERE user_id = $1', [reader.id]);
    const seeder = startWorker(env, ['--seed-feeds']);
    expect(await seeder.exited).toBe(0);
    expect(seeder.lines.at(-1)?.msg).toMatch(/^seed-feeds: done, \d+ jobs queued on the postgres queue$/);
    const queued = await inspect[0].query(`SELECT body ->> 'followeeId' AS followee FROM jobs WHERE body ->> 'followerId' = $1 ORDER BY 1`, [reader.id]);
    expect(queued.rows.map((row) => row.followee)).toEqual([far.id, near.id].sort());
    const worker = startWorker(env);
    await until(async () => ((await queueEmpty()) ? true : undefined), 'the seeding jobs to run');
    expect(await worker.stop()).toBe(0);
    expect((await feed(reader)).items.map((p) => p.id)).toEqual([...photos].reverse());
    expect((await inspect[0].query('SELECT count(*)::int AS n FROM feed_entries WHERE user_id = $1', [reader.id])).rows).toEqual([{ n: 3 }]);
  });

  test('bad configuration: exit status 2 and one line naming the variable', async () => {
    const worker = startWorker({ ...env, QUEUE: 'rabbitmq' });
    expect(await worker.exited).toBe(2);
    expect(worker.stderr().trim()).toBe('invalid configuration: QUEUE must be one of postgres, sqs, got "rabbitmq"');
  });
});
