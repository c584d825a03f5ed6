import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { migrate } from '../api/src/db/migrate';
import { GUARD_MODES, type GuardCostResult, type GuardMode } from '../contracts/bench-results';
import { composeId, shardForUsername } from '../contracts/ids';
import { startPostgres } from '../test/support/postgres';
import { treeCpuSeconds } from './load/process-cpu';
import { median } from './report/summarize';

// `npx tsx bench/guard-cost.ts [--writes 5000] [--rounds 3] [--out bench/results/shard-guard]`
const USAGE = `usage: npx tsx bench/guard-cost.ts [--writes 5000] [--rounds 3] [--out bench/results/shard-guard]
What the shard guard trigger (migration 2) costs the API's photo upload: the same write transaction
(INSERT a photo, UPDATE the owner's photo_count) on a throwaway PostgreSQL with the trigger off, on with
no move in progress (the fast path: one lookup in shard_moves), and on while the owner's shard is 'copying'
(each row's key is also appended to shard_changes). Modes alternate within each round. Writes
<out>/latest.json and latest.md.`;

const log = (line: string) => process.stderr.write(`[guard-cost ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function setMode(db: Client, mode: GuardMode, shard: number): Promise<void> {
  const enable = mode === 'trigger off' ? 'DISABLE' : 'ENABLE';
  await db.query(`ALTER TABLE photos ${enable} TRIGGER photos_shard_guard`);
  await db.query(`ALTER TABLE users ${enable} TRIGGER users_shard_guard`);
  await db.query('DELETE FROM shard_moves');
  if (mode === 'guard, shard copying') {
    await db.query("INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'copying', 'primary-1', 'guard-cost')", [shard]);
  }
}

/** `writes` upload transactions one after another on one connection; mean backend CPU and wall microseconds each. */
async function timeWrites(db: Client, backendPid: number, userId: string, shard: number, writes: number): Promise<{ cpu: number; wall: number }> {
  const cpuBefore = treeCpuSeconds(backendPid);
  const started = process.hrtime.bigint();
  // One round trip per transaction (simple protocol, the values inlined: they are ours), so the run
  // is not mostly waiting on a busy machine's scheduler; the trigger's work is the same.
  const transaction = `BEGIN; INSERT INTO photos (id, user_id, caption, content_type, size) VALUES (graminsta_next_id(${shard}), ${BigInt(userId)}, 'guard cost', 'image/jpeg', 1000);
    UPDATE users SET photo_count = photo_count + 1 WHERE id = ${BigInt(userId)}; COMMIT`;
  for (let i = 0; i < writes; i++) await db.query(transaction);
  const wall = Number(process.hrtime.bigint() - started) / 1000 / writes;
  return { cpu: ((treeCpuSeconds(backendPid) - cpuBefore) * 1e6) / writes, wall };
}

export async function measureGuardCost(writes: number, rounds: number): Promise<GuardCostResult[]> {
  const pg = await startPostgres();
  const db = new Client({ connectionString: pg.url });
  try {
    await migrate(pg.url);
    await db.connect();
    const username = 'guard_cost_user';
    const shard = shardForUsername(username);
    const userId = composeId(Date.now(), shard, 1).toString();
    await db.query("INSERT INTO users (id, username, password_hash) VALUES ($1, $2, 'x')", [userId, username]);
    const backendPid = Number((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const samples = new Map<GuardMode, number[]>(GUARD_MODES.map((m) => [m, []]));
    const walls = new Map<GuardMode, number[]>(GUARD_MODES.map((m) => [m, []]));
    for (let round = 0; round < rounds; round++) {
      // Order rotates every round, so drift in the machine's load hits every mode alike.
      const order = GUARD_MODES.map((_, i) => GUARD_MODES[(i + round) % GUARD_MODES.length]);
      for (const mode of order) {
        await setMode(db, mode, shard);
        await timeWrites(db, backendPid, userId, shard, Math.min(200, writes)); // warm-up
        const { cpu, wall } = await timeWrites(db, backendPid, userId, shard, writes);
        samples.get(mode)!.push(cpu);
        walls.get(mode)!.push(wall);
        log(`round ${round + 1}/${rounds} ${mode.padEnd(22)} ${cpu.toFixed(1)} µs backend CPU, ${wall.toFixed(1)} µs wall per upload transaction`);
      }
      await db.query('TRUNCATE shard_changes');
    }
    return GUARD_MODES.map((mode) => ({ mode, microsecondsPerWrite: median(samples.get(mode)!), rounds: samples.get(mode)!, wallMicrosecondsPerWrite: median(walls.get(mode)!) }));
  } finally {
    await db.end().catch(() => undefined);
    await pg.stop();
  }
}

export function renderGuardCost(results: readonly GuardCostResult[], meta: { generatedAt: string; writes: number; loadAverage: readonly number[] }): string {
  const off = results.find((r) => r.mode === 'trigger off')!.microsecondsPerWrite;
  return [
    `# Shard guard cost per upload transaction (${meta.generatedAt})`,
    '',
    `${meta.writes} upload transactions (BEGIN; INSERT photo; UPDATE users photo_count; COMMIT, sent as one query string) per mode and round, one connection, throwaway PostgreSQL on loopback; load average at start ${meta.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    '| mode | backend CPU µs per transaction (median of rounds) | over trigger off | rounds | wall µs per transaction |',
    '|---|---:|---:|---|---:|',
    ...results.map((r) => `| ${r.mode} | ${r.microsecondsPerWrite.toFixed(1)} | ${r.mode === 'trigger off' ? '' : `${r.microsecondsPerWrite - off >= 0 ? '+' : ''}${(r.microsecondsPerWrite - off).toFixed(1)} µs (${((r.microsecondsPerWrite / off) * 100).toFixed(0)}%)`} | ${r.rounds.map((v) => v.toFixed(1)).join(', ')} | ${r.wallMicrosecondsPerWrite?.toFixed(1) ?? ''} |`),
    '',
    'Two rows are written per transaction (the photo and the owner), so the guard runs twice. Backend CPU comes from /proc (10 ms ticks: use enough writes); it counts the server\'s work only. Wall time on one connection adds a loopback round trip per transaction and whatever else the machine runs.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { writes: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' }, out: { type: 'string', default: join(__dirname, 'results', 'shard-guard') }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const writes = Number(values.writes);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(writes) || writes < 100 || writes > 1_000_000) throw new Error(`--writes must be a whole number from 100 to 1000000, got "${values.writes}"`);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be a whole number from 1 to 20, got "${values.rounds}"`);
  const { loadavg } = await import('node:os');
  const loadAverage = loadavg();
  const results = await measureGuardCost(writes, rounds);
  const generatedAt = new Date().toISOString();
  const out = resolve(values.out!);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ generatedAt, writes, rounds, loadAverage, results }, null, 2)}\n`);
  const md = renderGuardCost(results, { generatedAt, writes, loadAverage });
  writeFileSync(join(out, 'latest.md'), md);
  console.log(md);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`guard-cost: ${error.message}`);
    process.exit(1);
  });
}
