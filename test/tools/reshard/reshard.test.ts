import { writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { join, dirname } from 'node:path';
import { main } from '../../../tools/reshard/cli';
import { CliError } from '../../../contracts/cli';
import { createProgress, type Progress } from '../../../tools/lib/progress';
import { freePort } from '../../support/free-port';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { countByTable, freshLayout, query, seed, snapshotRows, startWriter, type Layout } from './support';

const silent = createProgress({ silent: true });
let servers: TestPostgres[];
const layouts: Layout[] = [];

beforeAll(async () => {
  servers = await Promise.all([startPostgres(), startPostgres()]);
}, 120_000);

afterAll(async () => {
  for (const layout of layouts) layout.cleanup();
  await Promise.all(servers.map((s) => s?.stop()));
});

async function layout(): Promise<Layout> {
  const made = await freshLayout(servers);
  layouts.push(made);
  return made;
}

/** Runs the CLI in-process; returns its exit code (a CliError's code) and its stdout. */
async function run(argv: string[], progress: Progress = silent): Promise<{ code: number; out: string; error?: string }> {
  const lines: string[] = [];
  try {
    const code = await main(argv, progress, (text) => lines.push(text));
    return { code, out: lines.join('\n') };
  } catch (error) {
    if (error instanceof CliError) return { code: error.exitCode, out: lines.join('\n'), error: error.message };
    throw error;
  }
}

/** The fence and run rows of every server: "nothing changed" means these did not. */
async function controlRows(l: Layout): Promise<unknown[]> {
  const all: unknown[] = [];
  for (const url of Object.values(l.urls)) {
    all.push(await query(url, 'SELECT shard, state, peer FROM shard_moves ORDER BY shard'));
    all.push(await query(url, 'SELECT run_id, step FROM reshard_runs ORDER BY run_id'));
    all.push(await query(url, 'SELECT count(*)::int AS n FROM shard_changes'));
  }
  return all;
}

const MOVING = [5, 6, 7, 100];
const STAYING = [8, 2000];

describe('reshard', () => {
  test('a dry run prints the plan with row counts per table and changes nothing', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], [...MOVING, ...STAYING], 10);
    const before = await controlRows(l);
    const result = await run(['--map', l.mapFile, '--shards', '5-7,100', '--from', 'primary-0', '--to', 'primary-1', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('move logical shards 5-7,100 (4) from primary-0 to primary-1');
    expect(result.out).toMatch(/users\s+40\s/);
    expect(result.out).toMatch(/photos\s+120\s/);
    expect(result.out).toContain('dry run: nothing changed');
    expect(await controlRows(l)).toEqual(before);
    expect(await countByTable(l.urls['primary-1'], MOVING)).toEqual({ users: 0, photos: 0, likes: 0, following: 0, followers: 0, sessions: 0, feed_entries: 0 });
  });

  test('bad input gives one clear error line, exit 2, and changes nothing', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], MOVING, 2);
    const closed = await freePort();
    const unreachableMap = join(dirname(l.mapFile), 'unreachable.json');
    writeFileSync(
      unreachableMap,
      JSON.stringify({ logicalShards: 4096, primaries: [{ name: 'primary-0', url: l.urls['primary-0'], shards: [[0, 4095]] }, { name: 'primary-9', url: `postgres://x:secret-pw@127.0.0.1:${closed}/db`, shards: [] }] }),
    );
    const before = await controlRows(l);
    const cases: [string[], RegExp][] = [
      [['--shards', '4096', '--from', 'primary-0', '--to', 'primary-1'], /unknown logical shard 4096/],
      [['--shards', '9-3', '--from', 'primary-0', '--to', 'primary-1'], /range "9-3" is reversed/],
      [['--shards', 'five', '--from', 'primary-0', '--to', 'primary-1'], /"five" is not a shard number/],
      [['--shards', '5', '--from', 'primary-0', '--to', 'primary-0'], /--from and --to are the same server \(primary-0\)/],
      [['--shards', '5', '--from', 'primary-0', '--to', 'primary-7'], /--to: unknown server "primary-7" \(the shard map has primary-0, primary-1\)/],
      [['--shards', '5', '--from', 'primary-1', '--to', 'primary-0'], /primary-1 does not own logical shard\(s\) 5 \(5 on primary-0\)/],
      [['--shards', '5', '--from', 'primary-0', '--to', 'primary-1', '--batch-rows', '0'], /--batch-rows must be a whole number from 1 to 50000, not "0"/],
      [['--shards', '5', '--from', 'primary-0', '--to', 'primary-1', '--bogus'], /unknown option --bogus/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(['--map', l.mapFile, ...argv, '--yes']);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.error).toMatch(message);
    }
    const unreachable = await run(['--map', unreachableMap, '--shards', '5', '--from', 'primary-0', '--to', 'primary-9', '--yes']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.error).toBe(`cannot reach primary-9 (127.0.0.1:${closed}): ECONNREFUSED`);
    expect(unreachable.error).not.toContain('secret-pw');
    expect(await controlRows(l)).toEqual(before);
  });

  test('another run in progress on those shards is refused, exit 2, nothing changed', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], MOVING, 2);
    // A run of shards 5-6 that stopped mid-way (as after a kill).
    let crashed = false;
    const crashAtCopy: Progress = { ...silent, start: (label) => { if (label.startsWith('copy')) { crashed = true; throw new Error('simulated crash'); } } };
    await expect(run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes'], crashAtCopy)).rejects.toThrow(/simulated crash/);
    expect(crashed).toBe(true);
    const before = await controlRows(l);
    const overlap = await run(['--map', l.mapFile, '--shards', '6-7', '--from', 'primary-0', '--to', 'primary-1', '--yes']);
    expect(overlap.code).toBe(2);
    expect(overlap.error).toMatch(/^run primary-0-to-primary-1-\S+ \(shards 5-6, primary-0 → primary-1, step copying\) is in progress on these shards: finish it first by re-running its command$/);
    const other = await run(['--map', l.mapFile, '--shards', '100', '--from', 'primary-0', '--to', 'primary-1', '--yes']);
    expect(other.code).toBe(2);
    expect(other.error).toMatch(/is in progress on primary-0: one move per source at a time/);
    expect(await controlRows(l)).toEqual(before);
    // The same command resumes and finishes it.
    expect((await run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--settle-ms', '0'])).code).toBe(0);
  });

  test('moves shards under concurrent writes: every acknowledged write is on the new owner, the source keeps none, other shards stay', async () => {
    const l = await layout();
    const source = l.urls['primary-0'];
    const target = l.urls['primary-1'];
    await seed(source, [...MOVING, ...STAYING], 30);
    const staying = await snapshotRows(source, STAYING);
    const users = await query<{ id: string; shard: number }>(source, `SELECT id::text, shard FROM (SELECT id, shard, row_number() OVER (PARTITION BY shard ORDER BY id) AS n FROM users WHERE shard = ANY($1::int[])) u WHERE n <= 6 ORDER BY id`, [[...MOVING, ...STAYING]]);
    const photosBefore = await query<{ id: string }>(source, `SELECT id::text FROM photos WHERE shard = ANY($1::int[])`, [MOVING]);
    const writer = startWriter(l.urls, users);
    const result = await run(['--map', l.mapFile, '--shards', '5-7,100', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--batch-rows', '50', '--settle-ms', '200']);
    // Keep writing a little after the move: writers that still think primary-0 owns the shards are re-routed (55G02).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const report = await writer.stop();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/write pause \d+ ms/);
    expect(report.acknowledged).toBeGreaterThan(20);

    // Every acknowledged insert of a moving shard is on the target, every acknowledged delete is gone, nothing else changed.
    const movingInserted = [...report.inserted].filter((id) => MOVING.includes(Number((BigInt(id) >> 10n) & 4095n)));
    const expected = new Set([...photosBefore.map((p) => p.id), ...movingInserted].filter((id) => !report.deleted.has(id)));
    const onTarget = await query<{ id: string }>(target, `SELECT id::text FROM photos WHERE shard = ANY($1::int[])`, [MOVING]);
    expect(new Set(onTarget.map((p) => p.id))).toEqual(expected);
    // The source holds nothing of the moved shards after the cleanup, and its other shards are untouched by the tool.
    expect(await countByTable(source, MOVING)).toEqual({ users: 0, photos: 0, likes: 0, following: 0, followers: 0, sessions: 0, feed_entries: 0 });
    const photoCounts = await query<{ id: string; photo_count: number }>(target, `SELECT id::text, photo_count FROM users WHERE shard = ANY($1::int[])`, [MOVING]);
    // Each acknowledged insert also bumped its user's photo_count (an UPDATE): none lost, none doubled.
    for (const row of photoCounts) expect({ id: row.id, photo_count: row.photo_count }).toEqual({ id: row.id, photo_count: report.insertsPerUser.get(row.id) ?? 0 });
    const stayingAfter = await snapshotRows(source, STAYING);
    for (const table of ['likes', 'following', 'followers', 'sessions', 'feed_entries']) expect(stayingAfter[table]).toEqual(staying[table]);
    expect(photoCounts.length).toBe(120);
    // The move recorded itself: moved rows on the source, no fence left on the target, the run done.
    const moves = await query<{ shard: number; state: string; peer: string }>(source, 'SELECT shard, state, peer FROM shard_moves ORDER BY shard');
    expect(moves).toEqual(MOVING.map((shard) => ({ shard, state: 'moved', peer: 'primary-1' })));
    expect(await query(target, 'SELECT * FROM shard_moves')).toEqual([]);
    expect(await query(source, `SELECT step FROM reshard_runs`)).toEqual([{ step: 'done' }]);
    const status = await run(['--map', l.mapFile, '--status']);
    expect(status.out).toContain('primary-1     4 shards  5-7,100   (map: (none))');
    expect(status.out).toContain('runs in progress: none');
    console.log(`reshard under writes: ${report.acknowledged} writes acknowledged, ${report.frozenRefusals} frozen refusals, ${report.movedRefusals} re-routes, longest write pause ${report.longestPauseMs} ms; ${result.out.split('\n').slice(-3).join(' | ')}`);
  });

  test('moves the shards back again (a stale moved row on the new target is replaced, no loop)', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], [5, 9], 5);
    const before = await snapshotRows(l.urls['primary-0'], [5]);
    expect((await run(['--map', l.mapFile, '--shards', '5', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--settle-ms', '0'])).code).toBe(0);
    const back = await run(['--map', l.mapFile, '--shards', '5', '--from', 'primary-1', '--to', 'primary-0', '--yes', '--settle-ms', '0']);
    expect(back.code).toBe(0);
    expect(await snapshotRows(l.urls['primary-0'], [5])).toEqual(before);
    expect(await countByTable(l.urls['primary-1'], [5])).toEqual({ users: 0, photos: 0, likes: 0, following: 0, followers: 0, sessions: 0, feed_entries: 0 });
    expect(await query(l.urls['primary-0'], 'SELECT shard, state FROM shard_moves')).toEqual([]);
    expect(await query(l.urls['primary-1'], 'SELECT shard, state, peer FROM shard_moves')).toEqual([{ shard: 5, state: 'moved', peer: 'primary-0' }]);
  });

  test('a checksum difference stops the run before the flip, naming the table and shard; the shards stay on the source, unfrozen', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], [5, 6], 5);
    const crashAtSessions: Progress = { ...silent, start: (label) => { if (label === 'copy sessions') throw new Error('simulated crash'); } };
    await expect(run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes'], crashAtSessions)).rejects.toThrow(/simulated crash/);
    // Someone edits a copied row on the target behind the tool's back.
    const [victim] = await query<{ id: string }>(l.urls['primary-1'], `UPDATE photos SET caption = 'edited on the target' WHERE id = (SELECT min(id) FROM photos WHERE shard = 6) RETURNING id::text`);
    expect(victim).toBeDefined();
    const result = await run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--settle-ms', '0']);
    expect(result.code).toBe(1);
    expect(result.error).toMatch(/^verify failed before the flip, nothing flipped: table photos, logical shard 6: source 15 rows \(checksum -?\d+\), target 15 rows \(checksum -?\d+\)$/);
    expect(await query(l.urls['primary-0'], `SELECT DISTINCT state FROM shard_moves`)).toEqual([{ state: 'copying' }]);
    expect(await query(l.urls['primary-1'], `SELECT DISTINCT state FROM shard_moves`)).toEqual([{ state: 'incoming' }]);
    // Writes to the shards go on (logged, not refused) while the operator looks.
    await query(l.urls['primary-0'], `UPDATE users SET photo_count = photo_count WHERE shard = 5`);
  });

  test('the write pause is bounded: past --max-pause-ms the shards unfreeze and the run catches up and retries, then gives up with exit 1, nothing flipped', async () => {
    const l = await layout();
    await seed(l.urls['primary-0'], [5, 6], 10);
    // A transaction opened on the source during the copy and left open: the freeze must wait for it, so no freeze fits the budget.
    const blocker = new Client({ connectionString: l.urls['primary-0'] });
    await blocker.connect();
    let opened: Promise<unknown> | undefined;
    const logs: string[] = [];
    const progress: Progress = {
      ...silent,
      start: (label) => {
        if (label === 'copy feed_entries') opened = blocker.query('BEGIN').then(() => blocker.query('SELECT 1'));
      },
      log: (line) => logs.push(line),
    };
    try {
      const result = await run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--max-pause-ms', '200', '--settle-ms', '0'], progress);
      expect(opened).toBeDefined();
      expect(result.code).toBe(1);
      expect(result.error).toMatch(/^gave up after 3 freeze attempt\(s\): final catch-up \+ verify needs more than --max-pause-ms 200; the shards are unfrozen and still on primary-0; re-run with a larger --max-pause-ms/);
      expect(logs.filter((line) => /did not fit in --max-pause-ms 200 \(\d+ ms\)/.test(line))).toHaveLength(3);
      // Unfrozen: writes to the shards are accepted (and logged for the next run), nothing flipped.
      expect(await query(l.urls['primary-0'], 'SELECT DISTINCT state FROM shard_moves')).toEqual([{ state: 'copying' }]);
      await query(l.urls['primary-0'], `UPDATE users SET photo_count = photo_count + 1 WHERE shard = 5`);
    } finally {
      await opened;
      await blocker.query('COMMIT');
      await blocker.end();
    }
    // Once the long transaction is gone, the same command finishes the move, including the write made in between.
    expect((await run(['--map', l.mapFile, '--shards', '5-6', '--from', 'primary-0', '--to', 'primary-1', '--yes', '--max-pause-ms', '2000', '--settle-ms', '0'])).code).toBe(0);
    expect(await query(l.urls['primary-1'], `SELECT DISTINCT photo_count FROM users WHERE shard = 5`)).toEqual([{ photo_count: 1 }]);
  });
});
