import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp directories of benchmark runs: `graminsta-bench-<8 hex>-<pid of the run>`. */
const RUN_DIR = /^graminsta-bench-[0-9a-f]{8}-(\d+)$/;
/** Directories a run's PostgreSQL servers keep (test/support/postgres.ts); the only others a ledger may name. */
const POSTGRES_DIR = /^graminsta-pg-/;
const OWNER_FILE = 'owner.json';
const PROCESSES_FILE = 'processes.jsonl';

/** A process as the kernel knows it: its id and its start time, so a reused pid is never mistaken for it. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. */
  readonly startTime: number;
}

/** One process a run started, and the directory to remove once it has ended. */
export interface LedgerEntry extends ProcessIdentity {
  readonly role: string;
  /**
   * The signal that stops it cleanly (a postmaster: SIGINT, a fast shutdown;
   * SIGTERM would wait for its clients).
   */
  readonly signal: NodeJS.Signals;
  readonly removeDir?: string;
}

/** The start time of a running process, undefined when it is gone or a zombie. */
export function processStartTime(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[22 - 3]);
  } catch {
    return undefined;
  }
}

/** Whether the process that was `who` still runs (same pid, same start time). */
export function stillRuns(who: ProcessIdentity): boolean {
  return processStartTime(who.pid) === who.startTime;
}

/**
 * A benchmark run's temp directory, which also lists every process the run
 * starts (pid and start time, one JSON line each) and the directories they
 * keep. When the run ends (stop, SIGINT, SIGTERM) it ends them itself; when it
 * is killed outright, the next run's `removeStaleRuns` reads the list and
 * ends what is left, touching only processes whose start time still matches.
 */
export class RunLedger {
  /** Creates the run's directory (mode 700) under the OS temp dir, named after this process. */
  static create(): RunLedger {
    const dir = join(tmpdir(), `graminsta-bench-${randomBytes(4).toString('hex')}-${process.pid}`);
    mkdirSync(dir, { mode: 0o700 });
    const owner: ProcessIdentity = { pid: process.pid, startTime: processStartTime(process.pid) ?? -1 };
    writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    return new RunLedger(dir);
  }

  private constructor(readonly dir: string) {}

  /** Records a process the run has started (nothing when it is already gone). */
  record(role: string, pid: number | undefined, options: { signal?: NodeJS.Signals; removeDir?: string } = {}): void {
    if (pid === undefined) return;
    const startTime = processStartTime(pid);
    if (startTime === undefined) return;
    const entry: LedgerEntry = { role, pid, startTime, signal: options.signal ?? 'SIGTERM', ...(options.removeDir ? { removeDir: options.removeDir } : {}) };
    appendFileSync(join(this.dir, PROCESSES_FILE), `${JSON.stringify(entry)}\n`);
  }
}

function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return []; // a line cut short by the kill
      }
    });
}

async function waitUntilGone(who: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (stillRuns(who)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** What `removeStaleRuns` did. */
export interface StaleRunCleanup {
  readonly dirs: readonly string[];
  readonly processes: readonly { readonly role: string; readonly pid: number }[];
}

/**
 * Ends what earlier benchmark runs left behind when they were killed: for each
 * run directory whose run is gone (its pid no longer runs with the recorded
 * start time), the processes in its ledger that still run with their recorded
 * start time (latest first: the APIs before Redis and PostgreSQL; SIGKILL
 * after 10 s), then the directories they kept and the run directory. Runs
 * still going are left alone, and so is anything no ledger names.
 */
export async function removeStaleRuns(): Promise<StaleRunCleanup> {
  const dirs: string[] = [];
  const processes: Array<{ role: string; pid: number }> = [];
  const root = tmpdir();
  for (const name of readdirSync(root)) {
    const match = RUN_DIR.exec(name);
    if (!match) continue;
    const dir = join(root, name);
    const [owner] = readJsonLines<ProcessIdentity>(join(dir, OWNER_FILE));
    const ownerPid = Number(match[1]);
    if (ownerPid === process.pid) continue;
    // Without an owner file (killed right after mkdir) the pid alone decides; a live pid keeps the directory.
    const alive = owner ? owner.pid === ownerPid && stillRuns(owner) : processStartTime(ownerPid) !== undefined;
    if (alive) continue;
    for (const entry of readJsonLines<LedgerEntry>(join(dir, PROCESSES_FILE)).reverse()) {
      if (stillRuns(entry)) {
        processes.push({ role: entry.role, pid: entry.pid });
        try {
          process.kill(entry.pid, entry.signal);
        } catch {
          // gone in the meantime
        }
        if (!(await waitUntilGone(entry, 10_000))) {
          try {
            process.kill(entry.pid, 'SIGKILL');
          } catch {
            // gone
          }
          await waitUntilGone(entry, 5_000);
        }
      }
      if (entry.removeDir && dirname(entry.removeDir) === root && POSTGRES_DIR.test(basename(entry.removeDir))) {
        rmSync(entry.removeDir, { recursive: true, force: true });
      }
    }
    rmSync(dir, { recursive: true, force: true });
    dirs.push(dir);
  }
  return { dirs, processes };
}
