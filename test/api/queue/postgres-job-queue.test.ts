import { Pool } from 'pg';
import { migrate } from '../../../api/src/db/migrate';
import type { JobMessage } from '../../../contracts/job-messages';
import { PostgresJobQueue } from '../../../api/src/queue/postgres-job-queue';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/** The PostgreSQL work queue on a real server (migrations applied as the API does). */
jest.setTimeout(60_000);

const ready = (photoId: string): JobMessage => ({ type: 'photo.ready', version: 1, photoId });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresJobQueue', () => {
  let pg: TestPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startPostgres();
    await migrate(pg.url);
    pool = new Pool({ connectionString: pg.url, max: 8 });
    // As in production (DatabaseNode): an idle client's connection error must not crash the
    // process. Once, in a full run, idle clients of this pool got 57P01 mid-file and Jest
    // failed the running test on the unhandled 'error' event; the queries themselves passed.
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE jobs, jobs_dead');
  });

  const queue = (options: { visibilityTimeoutMs?: number; maxAttempts?: number } = {}) =>
    new PostgresJobQueue(pool, { visibilityTimeoutMs: options.visibilityTimeoutMs ?? 60_000, maxAttempts: options.maxAttempts ?? 3, pollIntervalMs: 20 });

  test('delivers sent jobs oldest first with attempt 1; ack deletes them', async () => {
    const q = queue();
    await q.send([ready('1'), ready('2'), ready('3')]);
    const jobs = await q.receive(10, 0);
    expect(jobs.map((job) => JSON.parse(job.body).photoId)).toEqual(['1', '2', '3']);
    expect(jobs.every((job) => job.attempt === 1)).toBe(true);
    for (const job of jobs) await q.ack(job);
    expect((await pool.query('SELECT 1 FROM jobs')).rows).toEqual([]);
  });

  test('a received job is hidden until its visibility deadline, then delivered again (attempt 2, new receipt); the stale receipt cannot ack it', async () => {
    const q = queue({ visibilityTimeoutMs: 1000 });
    await q.send([ready('4')]);
    const [first] = await q.receive(1, 0);
    expect(await q.receive(1, 0)).toEqual([]);
    const [second] = await q.receive(1, 3000);
    expect(second).toMatchObject({ id: first.id, attempt: 2 });
    expect(second.receipt).not.toBe(first.receipt);
    await q.ack(first);
    expect((await pool.query('SELECT attempts FROM jobs')).rows).toEqual([{ attempts: 2 }]);
    await q.ack(second);
    expect((await pool.query('SELECT 1 FROM jobs')).rows).toEqual([]);
  });

  test('concurrent receivers never get the same job (FOR UPDATE SKIP LOCKED)', async () => {
    const q = queue();
    await q.send(Array.from({ length: 40 }, (_, i) => ready(String(100 + i))));
    const batches = await Promise.all(Array.from({ length: 8 }, () => q.receive(5, 0)));
    const ids = batches.flat().map((job) => job.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });

  test('fail hides the job for the retry delay and keeps the error; after maxAttempts it moves to jobs_dead', async () => {
    const q = queue({ maxAttempts: 2 });
    await q.send([ready('5')]);
    const [first] = await q.receive(1, 0);
    await q.fail(first, 'Error: first try', 500, false);
    expect((await pool.query('SELECT last_error, receipt FROM jobs')).rows).toEqual([{ last_error: 'Error: first try', receipt: null }]);
    expect(await q.receive(1, 0)).toEqual([]);
    const [second] = await q.receive(1, 3000);
    expect(second.attempt).toBe(2);
    await q.fail(second, 'Error: second try', 500, false);
    expect((await pool.query('SELECT 1 FROM jobs')).rows).toEqual([]);
    expect((await pool.query('SELECT type, body, attempts, last_error FROM jobs_dead')).rows).toEqual([
      { type: 'photo.ready', body: ready('5'), attempts: 2, last_error: 'Error: second try' },
    ]);
  });

  test('a permanent failure goes to jobs_dead at once', async () => {
    const q = queue({ maxAttempts: 5 });
    await q.send([ready('6')]);
    const [job] = await q.receive(1, 0);
    await q.fail(job, 'InvalidMessageError: nope', 1000, true);
    expect((await pool.query('SELECT attempts, last_error FROM jobs_dead')).rows).toEqual([{ attempts: 1, last_error: 'InvalidMessageError: nope' }]);
  });

  test('a job whose worker died on its last attempt is dead-lettered when its deadline passes, not delivered again', async () => {
    const q = queue({ visibilityTimeoutMs: 1000, maxAttempts: 1 });
    await q.send([ready('7')]);
    await q.receive(1, 0); // and the "worker" never acks
    expect(await q.receive(1, 2500)).toEqual([]);
    expect((await pool.query('SELECT attempts, last_error FROM jobs_dead')).rows).toEqual([
      { attempts: 1, last_error: 'visibility deadline passed on the last attempt' },
    ]);
  });

  test('receive long-polls: a job sent while it waits is returned; an abort ends the wait early', async () => {
    const q = queue();
    const waiting = q.receive(1, 5000);
    await sleep(200);
    await q.send([ready('8')]);
    expect((await waiting).map((job) => JSON.parse(job.body).photoId)).toEqual(['8']);

    const controller = new AbortController();
    // Ten minutes of waiting would outlast the test's timeout: only the abort can end it in time.
    const idle = q.receive(1, 600_000, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(await idle).toEqual([]);
  });
});
