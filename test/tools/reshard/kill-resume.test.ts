import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildReshardBundle } from '../../../build/reshard-bundle';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { countByTable, freshLayout, query, seed, snapshotRows, startWriter, type Layout } from './support';

let servers: TestPostgres[];
let bundleDir: string;
let bundle: string;
const layouts: Layout[] = [];
/** A writer still running when a test failed early: stopped before the next test. */
let running: ReturnType<typeof startWriter> | undefined;

afterEach(async () => {
  await running?.stop().catch(() => undefined);
  running = undefined;
});

beforeAll(async () => {
  servers = await Promise.all([startPostgres(), startPostgres()]);
  bundleDir = mkdtempSync(join(tmpdir(), 'graminsta-reshard-bundle-'));
  bundle = buildReshardBundle(bundleDir);
}, 120_000);

afterAll(async () => {
  for (const layout of layouts) layout.cleanup();
  rmSync(bundleDir, { recursive: true, force: true });
  await Promise.all(servers.map((s) => s?.stop()));
});

interface Tool {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  waitFor(pattern: RegExp): Promise<void>;
}

/** The real bundled tool (`node dist/tools/reshard.js`) as a child process. */
function tool(args: readonly string[], env: Record<string, string> = {}): Tool {
  const child = spawn(process.execPath, [bundle, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    exit,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(({ code }) => reject(new Error(`tool exited (${code}) before printing ${pattern}: ${stderr}`)));
      }),
  };
}

const MOVING = [5, 6, 7];
const STAYING = [8];
const ARGS = ['--shards', '5-7', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--batch-rows', '20', '--settle-ms', '300'];

/** A single write on one server; resolves to the SQLSTATE it failed with, or 'ok'. */
async function tryWrite(url: string, sql: string, values: unknown[]): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql, values);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  } finally {
    await client.end();
  }
}

describe('reshard killed with SIGKILL at any step resumes with the same command, losing and duplicating nothing', () => {
  test.each([
    ['marked-incoming', 'after the target side of the start, before the run row existed'],
    ['marked-copying', 'after marking the shards copying, before waiting for older writers'],
    ['copy-batch', 'after a copy batch committed on the target, before its position was saved'],
    ['mid-copy', 'in the middle of the bulk copy (killed when it starts the fourth table)'],
    ['frozen', 'inside the write pause'],
    ['flip-target', 'between the target side and the source side of the flip'],
    ['settling', 'after the flip, while waiting for the API to see it'],
    ['cleanup-batch', 'in the middle of deleting the source rows'],
  ])('killed at %s (%s)', async (point) => {
    const l = await freshLayout(servers);
    layouts.push(l);
    const source = l.urls['primary-0'];
    const target = l.urls['primary-1'];
    await seed(source, [...MOVING, ...STAYING], 25);
    const before = await snapshotRows(source, MOVING);
    const photosBefore = (await query<{ id: string }>(source, 'SELECT id::text FROM photos WHERE shard = ANY($1::int[])', [MOVING])).map((r) => r.id);
    const users = await query<{ id: string; shard: number }>(source, `SELECT id::text, shard FROM (SELECT id, shard, row_number() OVER (PARTITION BY shard ORDER BY id) AS n FROM users WHERE shard = ANY($1::int[])) u WHERE n <= 3 ORDER BY id`, [[...MOVING, ...STAYING]]);
    const writer = startWriter(l.urls, users);
    running = writer;

    const first = tool(['--map', l.mapFile, ...ARGS], point === 'mid-copy' ? {} : { RESHARD_FAILPOINT: point });
    await first.waitFor(point === 'mid-copy' ? /copy likes: 0\/\d+\n/ : new RegExp(`failpoint ${point} reached`));
    if (point === 'frozen') {
      // The pause covers only the moving shards: the same source still takes writes for its other shards.
      const [movingUser] = users.filter((u) => MOVING.includes(u.shard));
      const [stayingUser] = users.filter((u) => STAYING.includes(u.shard));
      expect(await tryWrite(source, 'UPDATE users SET photo_count = photo_count WHERE id = $1', [movingUser.id])).toBe('55G01');
      expect(await tryWrite(source, 'UPDATE users SET photo_count = photo_count WHERE id = $1', [stayingUser.id])).toBe('ok');
    }
    const step = (await query<{ step: string }>(source, 'SELECT step FROM reshard_runs'))[0]?.step ?? 'no run row yet';
    first.child.kill('SIGKILL');
    expect((await first.exit).code).toBeNull();

    const second = await tool(['--map', l.mapFile, ...ARGS]).exit;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const report = await writer.stop();
    running = undefined;
    expect({ code: second.code, stderr: second.code === 0 ? '' : second.stderr }).toEqual({ code: 0, stderr: '' });
    // Killed before the run row committed, there is nothing to resume: the rerun starts the run (reusing the target's rows).
    expect(second.stdout).toContain(point === 'marked-incoming' ? 'move logical shards 5-7 (3) from primary-0 to primary-1' : `resume run primary-0-to-primary-1-`);
    expect(second.stdout).toMatch(/write pause \d+ ms/);

    // Nothing lost, nothing doubled: untouched tables are identical, photos are exactly the seeded ones plus acknowledged inserts minus acknowledged deletes.
    const after = await snapshotRows(target, MOVING);
    for (const table of ['likes', 'following', 'followers', 'sessions', 'feed_entries']) expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
    const inserted = [...report.inserted].filter((id) => MOVING.includes(Number((BigInt(id) >> 10n) & 4095n)));
    const expected = [...photosBefore, ...inserted].filter((id) => !report.deleted.has(id)).sort();
    const onTarget = (await query<{ id: string }>(target, 'SELECT id::text FROM photos WHERE shard = ANY($1::int[]) ORDER BY id::text', [MOVING])).map((r) => r.id);
    expect(onTarget).toEqual(expected);
    for (const row of await query<{ id: string; photo_count: number }>(target, 'SELECT id::text, photo_count FROM users WHERE shard = ANY($1::int[])', [MOVING])) {
      expect({ id: row.id, photo_count: row.photo_count }).toEqual({ id: row.id, photo_count: report.insertsPerUser.get(row.id) ?? 0 });
    }
    expect(await countByTable(source, MOVING)).toEqual({ users: 0, photos: 0, likes: 0, following: 0, followers: 0, sessions: 0, feed_entries: 0 });
    expect(await query(source, 'SELECT DISTINCT state, peer FROM shard_moves')).toEqual([{ state: 'moved', peer: 'primary-1' }]);
    expect(await query(target, 'SELECT * FROM shard_moves')).toEqual([]);
    console.log(`killed at ${point} (run step ${step}): resumed in one more run; ${report.acknowledged} writes acknowledged during the runs`);
  });
});
