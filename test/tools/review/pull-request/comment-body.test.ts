import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageCompliance } from '../../../../tools/compliance/stage-compliance';
import { reviewStageChange, type StageChangeReport } from '../../../../tools/review/stage-change';
import type { StackTemplates } from '../../../../tools/review/template';
import { checkOutcome } from '../../../../tools/review/pull-request/check-outcome';
import { pullRequestCommentBody, REVIEW_COMMENT_MARKER } from '../../../../tools/review/pull-request/comment-body';
import type { PullRequestReview } from '../../../../tools/review/pull-request/pull-request-review';
import { fixtureStage } from '../fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pr-comment-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The review of a code change at one stage: base templates on disk, head templates as given. */
async function sameStageReview(base: StackTemplates, head: StackTemplates): Promise<StageChangeReport> {
  const file = join(dir, `base-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(base));
  return reviewStageChange({ from: '1', to: '1', fromTemplate: file, synth: () => head });
}

const clean: StageCompliance = { stage: '1', nag: { unacknowledged: [], unused: [], missing: [] }, guard: [], imdsv2: [], ok: true };

function prReview(report: StageChangeReport | undefined, compliance: StageCompliance | undefined, extra: Partial<PullRequestReview> = {}): PullRequestReview {
  return {
    stage: '1',
    base: { ref: 'origin/main', sha: 'b'.repeat(40) },
    head: { sha: 'h'.repeat(40), uncommitted: false },
    baseline: { kind: 'base-commit', description: 'the base commit bbbbbbb at stage 1' },
    report,
    compliance,
    guard: true,
    outcome: checkOutcome({ report, compliance, failure: extra.failure }),
    reproduce: 'npm run review:pr -- --base bbbbbbb --stage 1',
    ...extra,
  };
}

describe('pull request check outcome and comment', () => {
  test('a code change at the same stage that drops a volume is unsafe: the check fails and the comment names it at risk without a runbook', async () => {
    const report = await sameStageReview(fixtureStage({ openPorts: [] }), fixtureStage({ openPorts: [], volumeId: 'RenamedVolume' }));
    const review = prReview(report, clean);
    expect(review.outcome).toEqual({ conclusion: 'failure', title: expect.stringMatching(/^unsafe: \d+ problems? without a runbook$/) });
    const body = pullRequestCommentBody(review);
    expect(body.startsWith(`${REVIEW_COMMENT_MARKER}\n## Stage review: stage 1\n\n❌ **unsafe: `)).toBe(true);
    expect(body).toContain('Head hhhhhhh compared with the base commit bbbbbbb at stage 1.');
    expect(body).toContain('Baseline: the base commit, not the deployed stacks');
    expect(body).toMatch(/### Stateful resources at risk\n\n- app-Data\/DataVolume \(AWS::EC2::Volume\) would be .*\*\*no runbook\*\*/);
    expect(body).toContain('| RenamedVolume | AWS::EC2::Volume | add | yes |');
    expect(body).toContain('### Compliance at stage 1\n\nNo findings');
    expect(body.trimEnd().endsWith('Reproduce locally: `npm run review:pr -- --base bbbbbbb --stage 1`')).toBe(true);
    // The review's own title is replaced by the comment's; its sections sit one level down.
    expect(body).not.toMatch(/^# /m);
  });

  test('identical templates are safe with no resource changes', async () => {
    const review = prReview(await sameStageReview(fixtureStage({ openPorts: [] }), fixtureStage({ openPorts: [] })), clean);
    expect(review.outcome).toEqual({ conclusion: 'success', title: 'safe: no resource changes' });
    expect(pullRequestCommentBody(review)).toContain('✅ **safe: no resource changes**');
  });

  test('a cdk-nag finding fails the check even when the change is safe, and is listed', async () => {
    const compliance: StageCompliance = { ...clean, nag: { ...clean.nag, unacknowledged: [{ rule: 'AwsSolutions-S1', path: 'graminsta-App/Uploads/Resource' }] }, ok: false };
    const review = prReview(await sameStageReview(fixtureStage({ openPorts: [] }), fixtureStage({ openPorts: [] })), compliance);
    expect(review.outcome).toEqual({ conclusion: 'failure', title: '1 compliance finding at stage 1' });
    expect(pullRequestCommentBody(review)).toContain('- cdk-nag `AwsSolutions-S1` at `graminsta-App/Uploads/Resource`: not acknowledged (`cdk synth` fails on it)');
  });

  test('a head that does not synthesize fails the check and shows why; a base that does not is neutral', () => {
    const head = prReview(undefined, undefined, { failure: { side: 'head', message: 'cdk synth -c stage=1 failed (exit 1):\nError: boom' } });
    expect(head.outcome).toEqual({ conclusion: 'failure', title: 'the head does not synthesize' });
    expect(pullRequestCommentBody(head)).toContain('### The head does not synthesize\n\n```\ncdk synth -c stage=1 failed (exit 1):\nError: boom\n```');
    expect(prReview(undefined, undefined, { failure: { side: 'base', message: 'x' } }).outcome.conclusion).toBe('neutral');
  });
});
