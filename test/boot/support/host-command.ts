import { spawnSync } from 'node:child_process';

/** Runs a host command as root and returns its stdout; a failure throws with the command and its output. */
export function sh(command: string, args: readonly string[], options: { readonly input?: string; readonly allowFailure?: boolean } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input: options.input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${(result.stderr || result.stdout || '').trim()}`);
  }
  return result.stdout;
}

/** Whether a process with this id runs. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
