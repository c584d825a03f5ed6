import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { resolveCommit, snapshotWorkTree, withWorktree } from '../../../../tools/review/pull-request/worktree';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

/** A repository with two commits: the base has `stage.txt` = 1, the head = 10; both the same package-lock.json. */
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'pr-repo-'));
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
  writeFileSync(join(repo, 'package-lock.json'), '{"lockfileVersion":3}\n');
  writeFileSync(join(repo, 'stage.txt'), '1\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'base');
  writeFileSync(join(repo, 'stage.txt'), '10\n');
  git('commit', '--quiet', '-am', 'head');
  mkdirSync(join(repo, 'node_modules'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('commits checked out in temporary worktrees', () => {
  test('an unknown base ref is a bad argument that says how to fetch it', async () => {
    await expect(resolveCommit(repo, 'origin/nope')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--base: "origin/nope" is no commit in') });
    expect(await resolveCommit(repo, 'HEAD~1')).toBe(git('rev-parse', 'HEAD~1'));
  });

  test("a worktree holds the commit's files at <root>/checkout beside <root>/tmp, shares node_modules when the lockfiles match, and is gone afterwards even when the work fails", async () => {
    const base = await resolveCommit(repo, 'HEAD~1');
    let seen: { stage: string; linked: boolean; dependencies: string; dir: string; tmp: string } | undefined;
    await expect(
      withWorktree(repo, base, async (worktree) => {
        seen = {
          stage: readFileSync(join(worktree.dir, 'stage.txt'), 'utf8'),
          linked: lstatSync(join(worktree.dir, 'node_modules')).isSymbolicLink(),
          dependencies: worktree.dependencies,
          dir: worktree.dir,
          tmp: worktree.tmp,
        };
        throw new Error('synthesis failed');
      }),
    ).rejects.toThrow('synthesis failed');
    expect(seen).toMatchObject({ stage: '1\n', linked: true, dependencies: 'shared' });
    expect([basename(seen!.dir), basename(seen!.tmp), dirname(seen!.dir) === dirname(seen!.tmp)]).toEqual(['checkout', 'tmp', true]);
    expect(existsSync(dirname(seen!.dir))).toBe(false);
    expect(git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(readFileSync(join(repo, 'stage.txt'), 'utf8')).toBe('10\n');
  });

  test('the work tree snapshot is HEAD when clean, and otherwise a commit with the changes and new files, leaving work tree, index and refs alone', async () => {
    expect(await snapshotWorkTree(repo)).toEqual({ sha: git('rev-parse', 'HEAD'), uncommitted: false });

    writeFileSync(join(repo, 'stage.txt'), '100\n');
    writeFileSync(join(repo, 'new-file.ts'), 'export {};\n');
    const status = git('status', '--porcelain');
    const refs = git('show-ref');
    const snapshot = await snapshotWorkTree(repo);

    expect(snapshot.uncommitted).toBe(true);
    expect(git('show', `${snapshot.sha}:stage.txt`)).toBe('100');
    expect(git('show', `${snapshot.sha}:new-file.ts`)).toBe('export {};');
    expect(git('rev-parse', `${snapshot.sha}^`)).toBe(git('rev-parse', 'HEAD'));
    expect(git('ls-tree', '--name-only', snapshot.sha)).not.toContain('node_modules');
    expect([git('status', '--porcelain'), git('show-ref')]).toEqual([status, refs]);
  });
});
