import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { productionBundleDir } from '../../support/production-bundle';

/** One pino line of the worker's stdout. */
export type WorkerLogLine = Record<string, unknown> & { msg?: string };

export interface RunningWorker {
  readonly pid: number;
  /** Every JSON log line so far. */
  readonly lines: readonly WorkerLogLine[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stderr(): string;
  /** Waits for a log line matching `match` (rejects after `timeoutMs`, or if the worker exits first). */
  waitFor(match: (line: WorkerLogLine) => boolean, timeoutMs?: number): Promise<WorkerLogLine>;
  /** SIGKILL, for tests of a worker dying mid-job; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (drain), then waits for the exit; SIGKILL after 20 s. */
  stop(): Promise<number | null>;
}

const running = new Set<RunningWorker>();

/** SIGKILLs every worker this process started that still runs (afterAll: a failed test must not leave one behind). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.kill()));
}

/** The production worker bundle (dist/api/worker.js as shipped), built once per test process with the API's. */
export function workerBundle(): string {
  return join(productionBundleDir(), 'worker.js');
}

/**
 * Runs the REAL worker bundle as a child process with exactly `env` (plus
 * PATH and test defaults: LOG_LEVEL=info so every job logs a line). Nothing
 * from the caller's environment leaks in.
 */
export function startWorker(env: Record<string, string>, args: readonly string[] = []): RunningWorker {
  const child = spawn(process.execPath, ['--enable-source-maps', workerBundle(), ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: WorkerLogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.trim()) continue;
      try {
        lines.push(JSON.parse(text) as WorkerLogLine);
      } catch {
        lines.push({ msg: text });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  const gone = () => exitCode !== undefined;
  const worker: RunningWorker = {
    pid: child.pid!,
    lines,
    exited,
    stderr: () => stderr,
    waitFor(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) return finish(() => resolve(found));
          if (gone()) return finish(() => reject(new Error(`worker exited (${exitCode}) before the expected log line: ${stderr.trim()}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no matching worker log line within ${timeoutMs} ms; last: ${JSON.stringify(lines.slice(-3))} ${stderr.trim()}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      // A signal before the handlers are installed would kill it outright: wait until it runs.
      await this.waitFor((line) => line.msg === 'worker started').catch(() => undefined);
      if (gone()) return exited;
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
  running.add(worker);
  void exited.then(() => running.delete(worker));
  return worker;
}
