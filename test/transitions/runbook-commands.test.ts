/**
 * Every resharding command the runbooks tell an operator to type runs, as
 * written, through the real CLI (tools/reshard/cli.ts) against real
 * PostgreSQL databases laid out like the 1m stack's map: each move as a dry
 * run (its flags, shard list and primary names are valid, and the source owns
 * the shards at that point of the runbook), `--status` as is. The primary
 * names are the ones the CDK map emits.
 *
 * The 100k → 1m runbook also says what the deploy does before any move: its
 * pre-checks quote the review of 100k → 1m (verdict, interruptions) and expect
 * the change set to show the cache updated in place, not replaced. Those
 * claims are checked here against the review of the synthesized templates,
 * and every logical ID either runbook names against the templates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../api/src/db/migrate';
import { initialShardMap } from '../../contracts/shard-map';
import { createProgress } from '../../tools/lib/progress';
import { main } from '../../tools/reshard/cli';
import { synthStage } from '../../lib/synth';
import { reviewStageChange, type StageChangeReport } from '../../tools/review/stage-change';
import { toJson } from '../../tools/review/report-json';
import { toMarkdown } from '../../tools/review/report-markdown';
import { startPostgres, type TestPostgres } from '../support/postgres';

const ROOT = join(__dirname, '..', '..');
const RUNBOOKS = { '100k-to-1m': { file: 'docs/runbooks/100k-to-1m.md', primaries: 4 }, 'add-a-primary': { file: 'docs/runbooks/add-a-primary.md', primaries: 5 } };

/** The arguments after `reshard.js` on every line that runs the tool. */
function commands(file: string): string[][] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .map((line) => /\/reshard\.js\s+(--[^`]*)/.exec(line)?.[1])
    .filter((rest): rest is string => rest !== undefined)
    .map((rest) => rest.trim().split(/\s+/));
}

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe.each(Object.entries(RUNBOOKS))('runbook %s', (_id, runbook) => {
  let pg: TestPostgres;
  let dir: string;
  const urls: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    for (let i = 0; i < runbook.primaries; i++) {
      const url = await pg.createDatabase(`primary_${i}`);
      await migrate(url);
      urls.push(url);
    }
    dir = mkdtempSync(join(tmpdir(), 'graminsta-runbook-'));
  }, 180_000);

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  /** The CDK's names in the CDK's order, with `owner` holding every shard (where the runbook says the shards are). */
  function mapFile(owner: string): string {
    const names = initialShardMap(4096, urls.map(() => ({ secretArn: 'unused', replicaHosts: [] }))).primaries.map((p) => p.name);
    const file = join(dir, `map-${owner}.json`);
    writeFileSync(file, JSON.stringify({ logicalShards: 4096, primaries: names.map((name, i) => ({ name, url: urls[i], shards: name === owner ? [[0, 4095]] : [] })) }));
    return file;
  }

  test('names only primaries the CDK map of that layout has, and moves ranges, status and rollbacks', () => {
    const all = commands(runbook.file);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const names = new Set(initialShardMap(4096, urls.map(() => ({ secretArn: 'x', replicaHosts: [] }))).primaries.map((p) => p.name));
    for (const args of all.filter((a) => a.includes('--from'))) {
      expect([flag(args, '--from'), flag(args, '--to')].filter((n) => !names.has(n))).toEqual([]);
    }
    expect(all.some((a) => a.includes('--status'))).toBe(true);
    expect(all.some((a) => a.includes('--dry-run'))).toBe(true);
  });

  test('every command runs through the real CLI: moves as dry runs (exit 0, the plan printed, nothing changed), --status as written', async () => {
    for (const args of commands(runbook.file)) {
      const lines: string[] = [];
      if (args.includes('--status')) {
        const code = await main([...args, '--map', mapFile('primary-0')], createProgress({ silent: true }), (t) => lines.push(t));
        expect({ args: args.join(' '), code }).toEqual({ args: args.join(' '), code: 0 });
        continue;
      }
      const dry = [...args.filter((a) => a !== '--yes'), ...(args.includes('--dry-run') ? [] : ['--dry-run'])];
      const code = await main([...dry, '--map', mapFile(flag(args, '--from'))], createProgress({ silent: true }), (t) => lines.push(t));
      expect({ args: args.join(' '), code }).toEqual({ args: args.join(' '), code: 0 });
      expect(lines.join('\n')).toContain(`from ${flag(args, '--from')} to ${flag(args, '--to')}`);
      expect(lines.join('\n')).toContain('dry run: nothing changed');
    }
  }, 120_000);
});

test('the feed seeding command of the 100k → 1m runbook is a mode the worker has', () => {
  expect(readFileSync(join(ROOT, 'docs/runbooks/100k-to-1m.md'), 'utf8')).toContain('/opt/graminsta/api/worker.js --seed-feeds');
  // The worker's own usage (what --help prints, exit 0, nothing started) lists the mode.
  const usage = execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'api/src/worker.ts'), '--help'], { encoding: 'utf8' });
  expect(usage).toMatch(/^\s+--seed-feeds\s/m);
}, 60_000);

describe('runbook 100k-to-1m: what it says about the deploy is what the review of 100k → 1m finds', () => {
  const runbook = () => readFileSync(join(ROOT, RUNBOOKS['100k-to-1m'].file), 'utf8');
  let report: StageChangeReport;

  beforeAll(async () => {
    report = await reviewStageChange({ from: '100k', to: '1m', synth: (stage) => synthStage(stage) });
  }, 600_000);

  test('pre-check 5 holds: the cache is updated in place (the change set shows Replacement False) because its template carries UpdatePolicy.UseOnlineResharding', () => {
    const cache = report.review.stacks.flatMap((s) => s.changes).find((c) => c.type === 'AWS::ElastiCache::ReplicationGroup');
    expect(cache && { logicalId: cache.logicalId, impact: cache.impact, why: cache.why.join('; ') }).toEqual({
      logicalId: 'CacheReplicationGroupBFE59FF3',
      impact: 'update',
      why: expect.stringContaining('ElastiCache reshards the cluster online (UpdatePolicy UseOnlineResharding: true)'),
    });
    // The line the runbook tells the operator to expect from describe-change-set.
    expect(runbook()).toContain(`${cache!.logicalId}\tModify\tFalse`);
  });

  test('pre-check 2 quotes the review as it prints now: the verdict, no stateful resource at risk, every interruption, the JSON verdict and longest outage', () => {
    const text = runbook();
    const markdown = toMarkdown(report);
    expect(report.problems).toEqual([]);
    expect(text).toContain(markdown.split('\n').find((line) => line.startsWith('**Verdict'))!);
    const section = markdown.slice(markdown.indexOf('## Interruptions'), markdown.indexOf('## Runbooks to follow'));
    const rows = section.split('\n').filter((line) => line.startsWith('| graminsta-'));
    expect(rows).toHaveLength(report.interruptions.length);
    expect(rows.filter((row) => !text.includes(row))).toEqual([]);
    const json = toJson(report) as { verdict: string; longestOutageSeconds: number };
    expect(text).toContain(`"verdict": "${json.verdict}"`);
    expect(text).toContain(`"longestOutageSeconds": ${json.longestOutageSeconds}`);
  });

  test('every logical ID the two runbooks name is in the synthesized templates (100k, 1m, 1m with extraPrimaries=1)', () => {
    const known = new Set(
      [synthStage('100k'), synthStage('1m'), synthStage('1m', { extraPrimaries: 1 })].flatMap((templates) =>
        Object.values(templates).flatMap((template) => Object.keys((template as { Resources: object }).Resources)),
      ),
    );
    const named = Object.values(RUNBOOKS).flatMap(({ file }) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\b[A-Z][A-Za-z0-9]*[0-9A-F]{8}\b/g)].map((m) => m[0]));
    expect(named.length).toBeGreaterThan(20);
    expect([...new Set(named)].filter((id) => !known.has(id))).toEqual([]);
  }, 600_000);
});
