import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../contracts/cli';
import { runCommand, tail } from './run-command';

/** The full commit ID a ref names in `repoDir`, or a CliError saying how to get it. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repoDir });
  if (result.code !== 0) {
    throw new CliError(`--base: "${ref}" is no commit in ${repoDir} (a shallow clone may lack it: git fetch origin ${ref})`);
  }
  return result.stdout.trim();
}

async function git(repoDir: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await runCommand('git', args, { cwd: repoDir, env });
  if (result.code !== 0) throw new CliError(`git ${args.join(' ')} failed:\n${tail(result.output)}`);
  return result.stdout.trim();
}

/**
 * A commit of the work tree as it is (tracked changes and untracked files
 * that .gitignore does not exclude), made through a temporary index: the
 * work tree, the index and every ref stay untouched. HEAD itself when the
 * tree is clean.
 */
export async function snapshotWorkTree(repoDir: string): Promise<{ readonly sha: string; readonly uncommitted: boolean }> {
  const head = await git(repoDir, ['rev-parse', 'HEAD']);
  const gitDir = await git(repoDir, ['rev-parse', '--absolute-git-dir']);
  const scratch = mkdtempSync(join(tmpdir(), 'graminsta-index-'));
  try {
    const index = join(scratch, 'index');
    if (existsSync(join(gitDir, 'index'))) copyFileSync(join(gitDir, 'index'), index);
    const env = { ...process.env, GIT_INDEX_FILE: index };
    await git(repoDir, ['add', '--all', '--', '.'], env);
    const tree = await git(repoDir, ['write-tree'], env);
    if (tree === (await git(repoDir, ['rev-parse', 'HEAD^{tree}']))) return { sha: head, uncommitted: false };
    const sha = await git(repoDir, ['commit-tree', tree, '-p', head, '-m', 'review:pr: the work tree'], {
      ...env,
      GIT_AUTHOR_NAME: 'review:pr',
      GIT_AUTHOR_EMAIL: 'review-pr@localhost',
      GIT_COMMITTER_NAME: 'review:pr',
      GIT_COMMITTER_EMAIL: 'review-pr@localhost',
    });
    return { sha, uncommitted: true };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface Worktree {
  /** The checked-out commit: always `<root>/checkout`. */
  readonly dir: string;
  /** A temporary directory beside it (`<root>/tmp`), for the synthesis's TMPDIR. */
  readonly tmp: string;
  readonly sha: string;
  /** How its node_modules came to be: shared with the repository's (same package-lock.json) or installed. */
  readonly dependencies: 'shared' | 'installed';
}

/**
 * Checks a commit out in a temporary git worktree laid out as
 * `<root>/checkout` beside `<root>/tmp`, runs `fn`, then removes it. Two
 * such worktrees have the same relative layout, so builds that record paths
 * relative to their temporary directory (source maps) come out identical for
 * identical sources. The worktree shares the repository's node_modules (a
 * symlink) when its package-lock.json is the same; otherwise `npm ci`
 * installs its own.
 */
export async function withWorktree<T>(repoDir: string, sha: string, fn: (worktree: Worktree) => Promise<T>, log: (line: string) => void = () => {}): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'graminsta-worktree-'));
  const dir = join(root, 'checkout');
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  const added = await runCommand('git', ['worktree', 'add', '--detach', '--quiet', dir, sha], { cwd: repoDir });
  if (added.code !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new CliError(`git worktree add failed for ${sha}:\n${tail(added.output)}`);
  }
  try {
    const repoLock = join(repoDir, 'package-lock.json');
    const lock = join(dir, 'package-lock.json');
    const same = existsSync(repoLock) && existsSync(lock) && readFileSync(repoLock, 'utf8') === readFileSync(lock, 'utf8');
    let dependencies: Worktree['dependencies'];
    if (same && existsSync(join(repoDir, 'node_modules'))) {
      symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
      dependencies = 'shared';
    } else {
      log(`${sha.slice(0, 7)} has other dependencies: npm ci in its worktree...`);
      const installed = await runCommand('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir });
      if (installed.code !== 0) throw new CliError(`npm ci failed in the worktree of ${sha.slice(0, 7)}:\n${tail(installed.output)}`);
      dependencies = 'installed';
    }
    return await fn({ dir, tmp, sha, dependencies });
  } finally {
    await runCommand('git', ['worktree', 'remove', '--force', dir], { cwd: repoDir });
    rmSync(root, { recursive: true, force: true });
    await runCommand('git', ['worktree', 'prune'], { cwd: repoDir });
  }
}
