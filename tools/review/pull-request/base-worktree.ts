import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../lib/cli-error';
import { runCommand, tail } from './run-command';

/** The full commit ID a ref names in `repoDir`, or a CliError saying how to get it. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repoDir });
  if (result.code !== 0) {
    throw new CliError(`--base: "${ref}" is no commit in ${repoDir} (a shallow clone may lack it: git fetch origin ${ref})`);
  }
  return result.stdout.trim();
}

export interface BaseWorktree {
  /** The checked-out base commit. */
  readonly dir: string;
  readonly sha: string;
  /** How its node_modules came to be: shared with the head (same package-lock.json) or installed. */
  readonly dependencies: 'shared' | 'installed';
}

/**
 * Checks the base commit out in a temporary git worktree (the head's work
 * tree is left alone), runs `fn` in it, then removes it. When the base's
 * package-lock.json is the head's, it shares the head's node_modules (a
 * symlink); otherwise `npm ci` installs the base's own.
 */
export async function withBaseWorktree<T>(repoDir: string, sha: string, fn: (worktree: BaseWorktree) => Promise<T>, log: (line: string) => void = () => {}): Promise<T> {
  const parent = mkdtempSync(join(tmpdir(), 'graminsta-base-'));
  const dir = join(parent, 'base');
  const added = await runCommand('git', ['worktree', 'add', '--detach', '--quiet', dir, sha], { cwd: repoDir });
  if (added.code !== 0) {
    rmSync(parent, { recursive: true, force: true });
    throw new CliError(`git worktree add failed for ${sha}:\n${tail(added.output)}`);
  }
  try {
    const headLock = join(repoDir, 'package-lock.json');
    const baseLock = join(dir, 'package-lock.json');
    const same = existsSync(headLock) && existsSync(baseLock) && readFileSync(headLock, 'utf8') === readFileSync(baseLock, 'utf8');
    let dependencies: BaseWorktree['dependencies'];
    if (same && existsSync(join(repoDir, 'node_modules'))) {
      symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
      dependencies = 'shared';
    } else {
      log(`base ${sha.slice(0, 7)} has other dependencies: npm ci in its worktree...`);
      const installed = await runCommand('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir });
      if (installed.code !== 0) throw new CliError(`npm ci failed in the base worktree (${sha.slice(0, 7)}):\n${tail(installed.output)}`);
      dependencies = 'installed';
    }
    return await fn({ dir, sha, dependencies });
  } finally {
    await runCommand('git', ['worktree', 'remove', '--force', dir], { cwd: repoDir });
    rmSync(parent, { recursive: true, force: true });
    await runCommand('git', ['worktree', 'prune'], { cwd: repoDir });
  }
}
