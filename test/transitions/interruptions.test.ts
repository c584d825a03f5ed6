/**
 * Issue 20: the review names what a stage change interrupts while it deploys,
 * and its verdict tells "safe", "safe with an interruption of ~N",
 * "needs a runbook" and "unsafe" apart, on every upward pair.
 */
import { synthStage } from '../../lib/synth';
import { STAGE_NAMES, type StageName } from '../../stages/ladder';
import { toJson } from '../../tools/review/report-json';
import { toMarkdown } from '../../tools/review/report-markdown';
import { reviewStageChange, type StageChangeReport } from '../../tools/review/stage-change';

const pairs: [StageName, StageName][] = STAGE_NAMES.flatMap((a, i) => STAGE_NAMES.slice(i + 1).map((b): [StageName, StageName] => [a, b]));
const reports = new Map<string, StageChangeReport>();

async function review(from: StageName, to: StageName): Promise<StageChangeReport> {
  const key = `${from}->${to}`;
  if (!reports.has(key)) reports.set(key, await reviewStageChange({ from, to, synth: (s) => synthStage(s) }));
  return reports.get(key)!;
}

/** `kind logicalId-prefix` of each interruption, sorted. */
async function interruptions(from: StageName, to: StageName): Promise<string[]> {
  return (await review(from, to)).interruptions.map((i) => `${i.kind} ${i.logicalId.replace(/[0-9A-F]{8}$/, '')}`).sort();
}

describe('interruptions and verdicts on every upward stage change (28 pairs)', () => {
  test.each(pairs)('%s → %s has a verdict, and its JSON carries the verdict, the interruptions and the longest outage', async (a, b) => {
    const report = await review(a, b);
    expect(['safe', 'safe-with-interruption', 'needs-runbook', 'unsafe']).toContain(report.verdict);
    expect(report.verdict).not.toBe('unsafe');
    const json = toJson(report) as { verdict: string; interruptions: unknown[]; longestOutageSeconds: number };
    expect(json.verdict).toBe(report.verdict);
    expect(json.interruptions).toHaveLength(report.interruptions.length);
    expect(json.longestOutageSeconds).toBeGreaterThanOrEqual(0);
    for (const i of report.interruptions) expect(i.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    // A skip crosses every step in between: its verdict is at least as strong as each step's.
    if (report.runbooks.length === 0 && report.interruptions.some((i) => i.kind === 'outage')) expect(report.verdict).toBe('safe-with-interruption');
  }, 120_000);
});

describe('each neighbour step, as an ops team lives it', () => {
  test('1 → 10 needs its runbook (the database moves to RDS)', async () => {
    expect((await review('1', '10')).verdict).toBe('needs-runbook');
  });

  test('10 → 100 is safe: the distribution only moves the web client to the bucket (edge switch-over, no errors)', async () => {
    expect((await review('10', '100')).verdict).toBe('safe');
    expect(await interruptions('10', '100')).toEqual(['notice SiteDistribution']);
  });

  test('100 → 1k needs its runbook and names the outage: CloudFront’s entry to the instance removed with the Network stack, the first fleet starting, the instance leaving, the database resized and made Multi-AZ', async () => {
    expect((await review('100', '1k')).verdict).toBe('needs-runbook');
    expect(await interruptions('100', '1k')).toEqual([
      'degraded Database',
      'notice SiteDistribution',
      'outage ApiFleetGroupASG',
      'outage ApiServer',
      'outage Database',
      'outage SecurityGroupsApifromIndirectPeer80',
    ]);
    const entry = (await review('100', '1k')).interruptions.find((i) => i.type === 'AWS::EC2::SecurityGroupIngress')!;
    expect(entry).toMatchObject({ stack: 'graminsta-Network', kind: 'outage', seconds: [600, 1800] });
  });

  test('1k → 10k is safe with an interruption: the Multi-AZ database fails over (60–120 s) when it is resized; growing storage is a named risk', async () => {
    const report = await review('1k', '10k');
    expect(report.verdict).toBe('safe-with-interruption');
    expect(await interruptions('1k', '10k')).toEqual(['notice SiteDistribution', 'outage Database', 'risk Database']);
    const failover = report.interruptions.find((i) => i.kind === 'outage')!;
    expect(failover.seconds).toEqual([60, 120]);
    expect(toMarkdown(report)).toMatch(/Verdict: safe to deploy, with an interruption\*\* of up to ~2 min/);
  });

  test('10k → 100k is safe with an interruption (the database failover); the new cache and replicas interrupt nothing', async () => {
    expect((await review('10k', '100k')).verdict).toBe('safe-with-interruption');
    expect(await interruptions('10k', '100k')).toEqual(['outage Database', 'risk Database']);
  });

  test('100k → 1m needs its runbook and names the failover, the replica reboots and the online resharding', async () => {
    expect((await review('100k', '1m')).verdict).toBe('needs-runbook');
    expect(await interruptions('100k', '1m')).toEqual([
      'degraded CacheReplicationGroup',
      'degraded DatabaseReplica1',
      'degraded DatabaseReplica2',
      'outage Database',
      'risk Database',
    ]);
  });
});
