import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REVIEW_COMMENT_MARKER } from '../../../tools/review/pull-request/comment-body';
import { GitHubStandIn, type GitHubStandInOptions } from './github-stand-in';

const ROOT = join(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const TOKEN = 'ghs_test-token';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
}

let dir: string;
let standIn: GitHubStandIn;

/** The real CLI (and so the real Octokit), pointed at the stand-in through GITHUB_API_URL. */
function github(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const summary = join(dir, `summary-${Math.random().toString(36).slice(2)}.md`);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: 'graminsta/scaling-stages',
    GITHUB_API_URL: standIn.url,
    GITHUB_STEP_SUMMARY: summary,
    ...env,
  };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return new Promise((resolve) => {
    const child = spawn(TSX, [join(ROOT, 'tools/github/cli.ts'), ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' }));
  });
}

async function startStandIn(options: Partial<GitHubStandInOptions> = {}): Promise<GitHubStandIn> {
  standIn = await new GitHubStandIn({ token: TOKEN, ...options }).start();
  return standIn;
}

const BODY = `${REVIEW_COMMENT_MARKER}\n## Stage review: stage 1\n\n✅ **safe: 2 resource changes**\n`;

function publishArgs(conclusion: 'success' | 'neutral' | 'failure' = 'failure'): string[] {
  const body = join(dir, 'body.md');
  const result = join(dir, 'result.json');
  writeFileSync(body, BODY);
  writeFileSync(result, JSON.stringify({ outcome: { conclusion, title: 'unsafe: 1 problem without a runbook' } }));
  return ['publish-review', '--pr', '42', '--sha', 'a'.repeat(40), '--body', body, '--result', result, '--details-url', 'https://github.example/run/1'];
}

const markedComments = () => (standIn.comments.get(42) ?? []).filter((c) => c.body.startsWith(REVIEW_COMMENT_MARKER));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'github-cli-'));
});
afterEach(async () => {
  await standIn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('publish-review', () => {
  test('updates the marked comment found on the third page of 250, creates no other, and creates a completed check run', async () => {
    await startStandIn();
    standIn.seedComments(42, Array.from({ length: 230 }, (_, i) => `comment ${i}`));
    const [previous] = standIn.seedComments(42, [`${REVIEW_COMMENT_MARKER}\nan older review`], 'github-actions[bot]');
    standIn.seedComments(42, Array.from({ length: 19 }, (_, i) => `later ${i}`));

    const run = await github(publishArgs('failure'));

    expect(run.status).toBe(0);
    const pages = standIn.requests.filter((r) => r.method === 'GET' && r.url.includes('/issues/42/comments')).map((r) => new URL(r.url, standIn.url).searchParams.get('page') ?? '1');
    expect(pages).toEqual(['1', '2', '3']);
    expect(standIn.requests.filter((r) => r.method === 'POST' && r.url.includes('/comments'))).toEqual([]);
    expect(standIn.requests.filter((r) => r.method === 'PATCH').map((r) => r.url)).toEqual([`/repos/graminsta/scaling-stages/issues/comments/${previous.id}`]);
    expect(markedComments()).toEqual([expect.objectContaining({ id: previous.id, body: BODY })]);
    expect(standIn.checkRuns).toEqual([
      expect.objectContaining({
        name: 'stage review',
        head_sha: 'a'.repeat(40),
        status: 'completed',
        conclusion: 'failure',
        details_url: 'https://github.example/run/1',
        output: { title: 'unsafe: 1 problem without a runbook', summary: BODY },
      }),
    ]);
    expect(run.stderr).toMatch(/review comment updated/);
    expect(run.summary).toBe(BODY);
  });

  test('creates the comment when none opens with the marker (a reply quoting it does not count), then later runs update that one', async () => {
    await startStandIn();
    standIn.seedComments(42, [...Array.from({ length: 120 }, (_, i) => `comment ${i}`), `> ${REVIEW_COMMENT_MARKER}\n> quoted review\n\nlooks fine`]);

    const first = await github(publishArgs('success'));
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/review comment created/);
    const [created] = markedComments();

    const second = await github(publishArgs('neutral'));
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/review comment updated/);
    expect(markedComments().map((c) => c.id)).toEqual([created.id]);
    expect(standIn.checkRuns.map((c) => c.conclusion)).toEqual(['success', 'neutral']);
  });

  test("a fork's read-only token (403): says so, posts nothing, writes the body to the job summary and exits 3", async () => {
    await startStandIn({ readOnly: true });
    standIn.seedComments(42, ['hello']);

    const run = await github(publishArgs('failure'));

    expect(run.status).toBe(3);
    expect(run.stderr).toContain(
      'github: the token may not write (HTTP 403: Resource not accessible by integration - https://docs.github.com/rest): a pull request from a fork gets a read-only token; the review goes to the job summary instead (exit 3)',
    );
    expect(run.stderr).not.toContain(TOKEN);
    expect(standIn.comments.get(42)).toHaveLength(1);
    expect(standIn.checkRuns).toEqual([]);
    expect(run.summary).toMatch(/^> \*\*Not posted to the pull request:\*\* GitHub refused the comment \(HTTP 403: Resource not accessible by integration/);
    expect(run.summary).toContain('the job\'s own status stands for the "stage review" check (failure: unsafe: 1 problem without a runbook)');
    expect(run.summary.endsWith(BODY)).toBe(true);
    expect(run.stdout).toBe('');
  });

  test('read-only outside a workflow (no GITHUB_STEP_SUMMARY): the note and body go to stdout', async () => {
    await startStandIn({ readOnly: true });
    const run = await github(publishArgs(), { GITHUB_STEP_SUMMARY: undefined });
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('**Not posted to the pull request:**');
    expect(run.stdout.endsWith(BODY)).toBe(true);
  });

  test('a 403 for an exhausted rate limit is an API error (exit 1), not a read-only token', async () => {
    await startStandIn({ rateLimited: true });
    const run = await github(publishArgs());
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('github: cannot post the comment: HTTP 403: API rate limit exceeded for installation.\n');
  });

  test('a missing token or repository is named (exit 2) before any request', async () => {
    await startStandIn();
    const run = await github(publishArgs(), { GITHUB_TOKEN: undefined, GITHUB_REPOSITORY: 'no-slash' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('github: GITHUB_TOKEN is not set');
    expect(run.stderr).toContain('github: GITHUB_REPOSITORY must be "owner/name", not "no-slash"');
    expect(standIn.requests).toEqual([]);
  });
});

describe('deployed-stage and record-deploy', () => {
  test('no record: prints nothing; a recorded stage is read back; a failed record and unrelated deployments are skipped across pages', async () => {
    await startStandIn();
    expect(await github(['deployed-stage', '--environment', 'production'])).toMatchObject({ status: 0, stdout: '' });

    const recorded = await github(['record-deploy', '--environment', 'production', '--stage', '10', '--sha', 'b'.repeat(40)]);
    expect(recorded.status).toBe(0);
    expect(standIn.deployments[0]).toMatchObject({ task: 'graminsta:stage', environment: 'production', payload: { stage: '10' }, statuses: [{ state: 'success' }] });

    // Newer: 40 stage records whose deploy failed (two pages of 30), and GitHub's own job deployments.
    for (let i = 0; i < 40; i++) standIn.seedDeployment({ sha: 'c'.repeat(40), ref: 'main', task: 'graminsta:stage', environment: 'production', payload: { stage: '1k' }, statuses: [{ state: 'failure' }] });
    standIn.seedDeployment({ sha: 'd'.repeat(40), ref: 'main', task: 'deploy', environment: 'production', payload: {}, statuses: [{ state: 'success' }] });

    const listed = () => standIn.requests.filter((r) => r.method === 'GET' && r.url.includes('/deployments?')).length;
    const before = listed();
    const read = await github(['deployed-stage', '--environment', 'production']);
    expect(read).toMatchObject({ status: 0, stdout: '10\n' });
    expect(read.stderr).toContain('github: production is at stage 10 (commit bbbbbbb');
    expect(listed() - before).toBe(2);
  });

  test('record-deploy refuses an unknown stage (exit 2) and a read-only token (exit 1)', async () => {
    await startStandIn({ readOnly: true });
    const bad = await github(['record-deploy', '--environment', 'production', '--stage', '1K', '--sha', 'e'.repeat(40)]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('github: --stage: unknown stage "1K"');
    const refused = await github(['record-deploy', '--environment', 'production', '--stage', '1k', '--sha', 'e'.repeat(40)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('github: cannot record the deployed stage: HTTP 403: Resource not accessible by integration - https://docs.github.com/rest\n');
  });
});
