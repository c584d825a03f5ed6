import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ArgProblems, parseCliArgs, runCli } from '../contracts/cli';
import { type BenchEnvironment, type ServerKey, startEnvironment } from './environment';
import { hashesPerSecondPerCore } from './load/hashing';
import { checkFeedPlans } from './query-plans';
import { treeCpuSeconds } from './load/process-cpu';
import { runLoad } from './load/run-load';
import { renderProfiles } from './profile/markdown';
import { profileScenarios } from './profile/profile-scenarios';
import { renderMarkdown } from './report/markdown';
import { perCoreFigures, type RunRecord, summarize } from './report/summarize';
import type { BenchReport } from '../contracts/bench-results';
import { checkSameAnswers } from './same-answers';
import { buildScenarios, logIn, type Scenario } from './scenarios';
import { DEFAULT_CELEBRITY_FOLLOWERS } from './seed/data-set';
import { progressBar } from './seed/progress-bar';

// `npm run bench [-- --quick] [-- --duration 10 --rounds 2 --users 100000 --only feed]`
const USAGE = `usage: npm run bench -- [--users 100000] [--duration 10] [--rounds 2] [--warmup 2] [--connections 10]
  [--feed-connections 10,50] [--hot-users 1000] [--shard-servers 2] [--only <id part>[,<id part>...]]
  [--api-log-level info] [--out bench/results] [--quick] [--profile] [--render <dir>]
Seeds a throwaway PostgreSQL, starts Redis, the API bundle and the baselines on loopback, and drives each
API scenario and its baseline alternately with autocannon. Writes <out>/latest.json and <out>/latest.md.
The feed also runs as stage 1m serves it (api-feed-fanout-c*: QUEUE=postgres, the reader's feed_entries
plus celebrity followees); its first pages are checked equal to the pull feed's before measuring.
Each API scenario's target (the issue's, by measure: req/s or per-core over its baseline's, p99, or the fan-out
feed's API + PostgreSQL CPU per request over the pull feed's at the same connections) is judged on the medians;
one whose baseline or reference did not run (--only) or failed requests is reported as not measured.
--shard-servers N: also seed the same data set over N more PostgreSQL servers (logical shards split evenly,
  each server holding only the rows it owns), start the API on that layout (SHARD_MAP), and run the feed and
  profile scenarios there right after their one-server twins; the report states N-server / one-server
  throughput and p99. 0 skips the layout. Default 2.
--only: scenarios whose id contains any of the comma-separated parts (with their baselines and twins),
  e.g. --only feed,user-db,user-photos.
--quick: 2000 users, 3 s runs, 1 round (a smoke test, not a measurement).
--profile: instead of measuring, profile each selected API scenario: a copy of its server under node --cpu-prof,
  driven for --duration s after --warmup s, then stopped; writes <out>/profiles.md (self time per library,
  directory of ours, Node and V8, and the costliest functions, located through the bundle's source map).
--render <dir>: rewrite <dir>/latest.md from <dir>/latest.json (after a change to the report's layout); runs nothing.
exit codes: 0 measured (or rendered), 1 failed, 2 bad arguments`;

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function measure(env: BenchEnvironment, scenario: Scenario, minimumSeconds: number, warmupSeconds: number, round: number): Promise<RunRecord> {
  const durationSeconds = Math.max(minimumSeconds, scenario.minDurationSeconds ?? 0);
  const server = env.servers[scenario.server];
  if (!server) throw new Error(`${scenario.id} needs ${scenario.server}, which this run did not start`);
  const load = { url: server.url, method: scenario.method, connections: scenario.connections, timeoutSeconds: scenario.timeoutSeconds, next: scenario.next };
  if (warmupSeconds > 0) await runLoad({ ...load, durationSeconds: warmupSeconds });
  const cpu = () => ({
    server: treeCpuSeconds(server.pid),
    postgres: env.postgresPidsFor(scenario.server).reduce((sum, pid) => sum + treeCpuSeconds(pid), 0),
    redis: env.redisPid ? treeCpuSeconds(env.redisPid) : 0,
  });
  const before = cpu();
  const figures = await runLoad({ ...load, durationSeconds });
  const after = cpu();
  log(`${scenario.id.padEnd(26)} ${Math.round(figures.requestsPerSecond).toString().padStart(7)} req/s  p50 ${figures.latencyMs.p50} ms  p99 ${figures.latencyMs.p99} ms${figures.errors ? `  ${figures.errors} ERRORS ${JSON.stringify(figures.errorKinds)}` : ''}`);
  return {
    scenarioId: scenario.id,
    round,
    durationSeconds,
    figures,
    cpuSeconds: { server: after.server - before.server, postgres: after.postgres - before.postgres, redis: after.redis - before.redis },
  };
}

/**
 * Baseline, API and its shard-layout twin of each group back to back, their order reversed every
 * round, so drift in the machine's load hits them alike.
 */
export function runOrder(scenarios: readonly Scenario[], round: number): Scenario[] {
  const order: Scenario[] = [];
  for (const api of scenarios.filter((s) => s.side === 'api' && !s.comparesWith)) {
    const baseline = scenarios.find((s) => s.id === api.baselineId);
    const group = [...(baseline ? [baseline] : []), api, ...scenarios.filter((s) => s.comparesWith === api.id)];
    order.push(...(round % 2 === 0 ? group : group.reverse()));
  }
  for (const s of scenarios) if (!order.includes(s)) order.push(s);
  return order;
}

/**
 * `--only a,b`: the scenarios whose id contains a or b, with what they are compared with (baseline,
 * one-server twin) and their shard-layout twins, so every ratio in the report has both sides.
 */
export function selectScenarios(scenarios: readonly Scenario[], only: string): Scenario[] {
  const parts = only.split(',').map((p) => p.trim()).filter(Boolean);
  const wanted = scenarios.filter((s) => parts.some((p) => s.id.includes(p)));
  const ids = new Set(wanted.flatMap((s) => [s.id, ...(s.baselineId ? [s.baselineId] : []), ...(s.comparesWith ? [s.comparesWith] : [])]));
  for (const s of scenarios) if (s.comparesWith && ids.has(s.comparesWith)) ids.add(s.id);
  for (const s of scenarios) if (ids.has(s.id) && s.baselineId) ids.add(s.baselineId);
  const selected = scenarios.filter((s) => ids.has(s.id));
  if (selected.length === 0) throw new Error(`--only ${only} matches no scenario`);
  return selected;
}

/** The run's settings, every bad value listed at once (ArgProblems). */
function settings(values: { [name: string]: string | boolean | undefined }, problems: ArgProblems) {
  const raw = (name: string) => values[name] as string | undefined;
  const quick = values.quick === true;
  const users = problems.integer('--users', raw('users'), 300, 10_000_000, quick ? 2000 : 100_000);
  const level = raw('api-log-level') ?? 'info';
  if (!['info', 'warn', 'error', 'silent'].includes(level)) problems.add(`--api-log-level must be info, warn, error or silent, not "${level}"`);
  return {
    quick,
    users,
    photos: problems.integer('--photos', raw('photos'), 0, 100_000_000, users * 10),
    follows: problems.integer('--follows', raw('follows'), 200, 200_000_000, users * 20),
    duration: problems.integer('--duration', raw('duration'), 1, 120, quick ? 3 : 10),
    rounds: problems.integer('--rounds', raw('rounds'), 1, 10, quick ? 1 : 2),
    warmup: problems.integer('--warmup', raw('warmup'), 0, 60, quick ? 1 : 2),
    connections: problems.integer('--connections', raw('connections'), 1, 256, 10),
    feedConnections: (raw('feed-connections') ?? '10,50').split(',').map((c) => problems.integer('--feed-connections', c, 1, 256)),
    hotUsers: problems.integer('--hot-users', raw('hot-users'), 1, 1_000_000, 1000),
    shardServers: problems.integer('--shard-servers', raw('shard-servers'), 0, 8, 2),
    apiLogLevel: level,
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let run: ReturnType<typeof settings> | undefined;
  const values = parseCliArgs(
    argv,
    {
      users: { type: 'string' },
      photos: { type: 'string' },
      follows: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'feed-connections': { type: 'string' },
      'hot-users': { type: 'string' },
      'shard-servers': { type: 'string' },
      only: { type: 'string' },
      'api-log-level': { type: 'string', default: 'info' },
      out: { type: 'string', default: join(__dirname, 'results') },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      render: { type: 'string' },
    },
    USAGE,
    (v, problems) => {
      run = settings(v, problems);
    },
  );
  if (!values || !run) return 0;
  if (values.render) {
    const dir = resolve(values.render);
    const report = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchReport;
    writeFileSync(join(dir, 'latest.md'), renderMarkdown(report));
    log(`wrote ${join(dir, 'latest.md')}`);
    return 0;
  }
  const { quick, users, photos, follows, duration, rounds, warmup, connections, feedConnections, hotUsers, shardServers, apiLogLevel } = run;

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage: loadavg() };
  log(`load average ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')} on ${machine.cpus} cores`);
  log('measuring scrypt hashes per second on one core');
  const hashing = hashesPerSecondPerCore(quick ? 1 : 3);

  const env = await startEnvironment({ users, photos, follows, hotUsers, apiLogLevel, log, progress: progressBar(), shardServers });
  const interrupted = () => void env.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const data = env.seed.dataSet;
    const apiUrl = env.servers['api-cache']!.url;
    log('logging in the reader and the writers (production scrypt, a second or so each)');
    const reader = await logIn(apiUrl, data.username(0));
    const writers = [];
    for (let i = 1; i <= 8; i++) writers.push(await logIn(apiUrl, data.username(i)));
    const loginUsernames = Array.from({ length: Math.min(50, data.users - 1) }, (_, i) => data.username(i + 1));
    // Sessions live in each API's own store: the reader logs in on every API that serves it a feed.
    const readerTokens: Partial<Record<ServerKey, string>> = { 'api-cache': reader.token };
    for (const key of ['api-cache-shards', 'api-queue', 'api-queue-shards'] as const) {
      const server = env.servers[key];
      if (server) readerTokens[key] = (await logIn(server.url, data.username(0))).token;
    }
    let scenarios = buildScenarios({ env, readerTokens, readerId: reader.userId, writers, loginUsernames, feedConnections, connections });
    if (values.only) scenarios = selectScenarios(scenarios, values.only);
    const checked = await checkSameAnswers(env, scenarios);
    if (checked > 0) log(`${checked} scenario pairs answer the same requests with the same bytes (shard layout vs one server, fan-out vs pull feed)`);

    if (values.profile) {
      const rawDir = mkdtempSync(join(tmpdir(), 'bench-profiles-'));
      try {
        const profiles = await profileScenarios(env, scenarios, { durationSeconds: duration, warmupSeconds: warmup, dir: rawDir, log });
        const out = resolve(values.out!);
        mkdirSync(out, { recursive: true });
        const header = [
          `Profiled ${new Date().toISOString()} on ${machine.cpus} × ${machine.cpuModel}, Node.js ${machine.node}; load average at start ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`,
          `Data set: ${data.users.toLocaleString('en-US')} users, ${data.photos.toLocaleString('en-US')} photos, ${data.follows.toLocaleString('en-US')} follows. Each scenario: its own API process (production bundle and settings, LOG_LEVEL=${apiLogLevel}) under \`node --cpu-prof\` (1 ms samples), ${warmup} s warm-up then ${duration} s of load; self time, idle left out. Profiling slows the process a little: these are shares, the throughput figures are latest.md's. V8 samples JavaScript threads only: work on libuv's thread pool (async crypto.scrypt, fs) is not in them, so the log-in baseline (which hashes there) shows almost nothing while the API (which hashes in a worker thread) shows it all.`,
        ];
        writeFileSync(join(out, 'profiles.md'), renderProfiles(profiles, header));
        log(`wrote ${join(out, 'profiles.md')}`);
      } finally {
        rmSync(rawDir, { recursive: true, force: true });
      }
      return 0;
    }

    const records: RunRecord[] = [];
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1} of ${rounds}: ${scenarios.length} runs of ${duration} s (+${warmup} s warm-up)`);
      for (const scenario of runOrder(scenarios, round)) records.push(await measure(env, scenario, duration, warmup, round));
    }

    log('checking the feed query plan on the seeded data');
    const queryPlans = (await checkFeedPlans(env.databaseUrl, reader.userId)).map(({ name, scan, medianExecutionMs }) => ({ name, scan, medianExecutionMs }));
    const results = summarize(scenarios, records);
    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      machine,
      dataSet: { users: data.users, photos: data.photos, follows: data.follows },
      results,
      hashing,
      perCore: perCoreFigures(scenarios, results),
      queryPlans,
      ...(env.shardLayout
        ? { shardLayout: { servers: env.shardLayout.servers.map((s) => ({ name: s.name, shards: [s.first, s.last] as [number, number], rows: Object.fromEntries(s.seed.tables.map((t) => [t.table, t.rows])) })) } }
        : {}),
      notes: [
        `Seeding: ${env.seed.totalRows.toLocaleString('en-US')} rows in ${env.seed.totalSeconds.toFixed(1)} s (${Math.round(env.seed.rowsPerSecond).toLocaleString('en-US')} rows/s overall, COPY).`,
        `Each figure is the median of ${rounds} run(s) of ${duration} s after ${warmup} s of warm-up; every API scenario ran right next to its baseline, order swapped each round.`,
        'All processes share this machine: autocannon, the server under test, PostgreSQL and Redis compete for the same cores, on loopback.',
        'PostgreSQL is the throwaway test server (fsync and synchronous_commit off): writes are cheaper than on RDS.',
        `The API runs its production bundle with production settings (LOG_LEVEL=${apiLogLevel} to a file, scrypt at production cost); only the log-in rate limits are lifted, since all load comes from one address.`,
        'Latency percentiles come from autocannon in whole milliseconds.',
        ...(env.servers['api-queue']
          ? [
              `The fan-out feed (QUEUE=postgres, FEED_CELEBRITY_FOLLOWERS=${DEFAULT_CELEBRITY_FOLLOWERS}) reads feed_entries seeded for the reader and every 10th user (${(env.seed.tables.find((t) => t.table === 'feed_entries')?.rows ?? 0).toLocaleString('en-US')} rows: every photo of each followed account at or below the threshold, as fan-out on write leaves them; the other users' feeds are left out to keep seeding short); no worker runs, the scenarios only read. Before measuring, its first pages were checked equal to the pull feed's.`,
            ]
          : []),
        ...(env.shardLayout ? ['Each shard-layout scenario was checked, before measuring, to answer the same requests with the same bytes as its one-server twin.'] : []),
      ],
    };
    const out = resolve(values.out!);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'latest.md'), renderMarkdown(report));
    console.log(renderMarkdown(report));
    log(`wrote ${join(out, 'latest.json')} and latest.md`);
  } finally {
    await env.stop();
  }
  return 0;
}

if (require.main === module) runCli('bench', () => main(process.argv.slice(2)));
