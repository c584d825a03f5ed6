import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc CPU times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, plus the times of reaped children (cutime + cstime). */
  readonly ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (field: number) => Number(fields[field - 3]);
    return { ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined; // gone
  }
}

/** CPU seconds used so far by `pid` and all its descendants (0 off Linux). */
export function treeCpuSeconds(pid: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    stats.set(Number(entry), stat);
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  let ticks = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    ticks += stats.get(current)?.ticks ?? 0;
    stack.push(...(children.get(current) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

/** The parent of a process (e.g. the postmaster of a PostgreSQL backend). */
export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/** The pid of the `redis-server` listening on `port`, found by its rewritten command line. */
export function redisServerPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('redis-server') && cmdline.includes(`:${port}`)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
