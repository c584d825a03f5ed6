import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime, type ProcessIdentity, stillRuns } from '../../bench/run-ledger';
import { describeWithRedis } from '../support/redis';

const ROOT = join(__dirname, '..', '..');

interface Bench {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/**
 * `npm run bench` as one process (node with tsx's loader, no npm or tsx
 * parent to relay or swallow signals), smallest data set, in its own process
 * group and with its own TMPDIR, so what it leaves behind is all there is.
 */
function startBench(tmp: string, out: string): Bench {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  for (const key of ['DATABASE_URL', 'REDIS_URL']) delete env[key];
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--quick', '--users', '300', '--shard-servers', '0', '--out', out];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, output: () => output, exited };
}

async function until(what: string, probe: () => boolean, bench: Bench, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (bench.child.exitCode !== null) throw new Error(`the run exited (${bench.child.exitCode}) before ${what}; it said:\n${bench.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the run said:\n${bench.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every descendant of `pid`, with its command and start time (read from /proc). */
function descendants(pid: number): Array<ProcessIdentity & { readonly command: string }> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const found: Array<ProcessIdentity & { command: string }> = [];
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const [child, parent] of parents) {
      if (parent !== current) continue;
      stack.push(child);
      const startTime = processStartTime(child);
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone
      }
      if (startTime !== undefined) found.push({ pid: child, startTime, command });
    }
  }
  return found;
}

const runDirs = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('graminsta-bench-'));
/** What is left in the run's TMPDIR but tsx's compile cache (tsx-<uid>), which tsx keeps by design. */
const leftIn = (tmp: string) => readdirSync(tmp).filter((name) => !/^tsx-\d+$/.test(name));

async function gone<P extends ProcessIdentity>(processes: readonly P[], timeoutMs = 20_000): Promise<P[]> {
  const deadline = Date.now() + timeoutMs;
  let running = processes.filter(stillRuns);
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    running = running.filter(stillRuns);
  }
  return running;
}

describeWithRedis('an interrupted npm run bench', () => {
  jest.setTimeout(300_000);
  let tmp: string;
  const benches: Bench[] = [];

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'graminsta-bench-test-'));
    // As root the embedded PostgreSQL runs as `postgres`, which reads files its starter writes here.
    chmodSync(tmp, 0o1777);
  });
  afterEach(async () => {
    // Whatever a failed case left in the runs' process groups (orphaned servers included) goes with them.
    for (const bench of benches.splice(0)) {
      try {
        process.kill(-bench.child.pid!, 'SIGKILL');
      } catch {
        // the group is empty
      }
      await bench.exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  test.each([
    ['SIGINT', 'while starting the API servers', /starting api-redis-only/],
    ['SIGTERM', 'while seeding', /seeding 300 users/],
  ] as const)('%s %s: leaves no Redis, PostgreSQL, API server or temp directory behind', async (signal, _when, moment) => {
    const bench = startBench(tmp, join(tmp, 'results'));
    benches.push(bench);
    await until(moment.source, () => moment.test(bench.output()), bench);
    const started = descendants(bench.child.pid!);
    expect(started.some((p) => p.command.startsWith('redis-server'))).toBe(true);
    expect(started.some((p) => /postgres/.test(p.command))).toBe(true);
    expect(runDirs(tmp)).toHaveLength(1);

    // The signal goes to the run alone, not its process group: it must end its servers itself.
    process.kill(bench.child.pid!, signal);
    const code = await bench.exited;
    const expected = signal === 'SIGINT' ? 130 : 143;
    // On a wrong exit, what the run said is the diagnosis.
    expect({ code, said: code === expected ? '' : bench.output().slice(-3000) }).toEqual({ code: expected, said: '' });
    expect((await gone(started)).map((p) => p.command)).toEqual([]);
    expect(leftIn(tmp)).toEqual([]);
  });

  test("a killed run's Redis, API servers and directory are ended and removed by the next run, and only those", async () => {
    const killed = startBench(tmp, join(tmp, 'results'));
    benches.push(killed);
    await until('the API servers to start', () => /starting api-redis-only/.test(killed.output()), killed);
    const left = descendants(killed.child.pid!);
    const [killedDir] = runDirs(tmp);
    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exited;
    // What SIGKILL leaves: nothing ran the clean-up.
    const orphans = left.filter(stillRuns);
    expect(orphans.some((p) => p.command.startsWith('redis-server'))).toBe(true);
    expect(orphans.some((p) => p.command.includes(killedDir))).toBe(true); // an API server of the killed run's bundle
    expect(runDirs(tmp)).toEqual([killedDir]);

    // The next run ends them before it starts its own servers, and keeps its own directory. Interrupted
    // while its PostgreSQL initialises, it waits for it and stops it.
    const next = startBench(tmp, join(tmp, 'results'));
    benches.push(next);
    await until('the next run to start its own servers', () => /starting PostgreSQL and Redis/.test(next.output()), next);
    expect(next.output()).toContain(`removed ${join(tmp, killedDir)}, left by a killed run`);
    expect(next.output()).toMatch(/ended what it left running: .*redis-server \(pid \d+\)/);
    expect((await gone(left)).map((p) => p.command)).toEqual([]);
    expect(runDirs(tmp)).not.toContain(killedDir);
    expect(runDirs(tmp)).toHaveLength(1);

    process.kill(next.child.pid!, 'SIGINT');
    expect(await next.exited).toBe(130);
    expect(leftIn(tmp)).toEqual([]);
  });
});
