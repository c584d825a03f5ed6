import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a process with this id runs (EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the OS temp dir's entries named `<prefix>…-<pid>` whose process is
 * gone. Per-process build directories are removed on exit, but test workers
 * are often killed rather than exiting, so the next process sweeps up after them.
 */
export function removeStaleTempDirs(prefix: string): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.split('-').pop());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processRuns(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}
