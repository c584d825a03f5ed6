/**
 * Every resharding command the runbooks tell an operator to type runs, as
 * written, through the real CLI (tools/reshard/cli.ts) against real
 * PostgreSQL databases laid out like the 1m stack's map: each move as a dry
 * run (its flags, shard list and primary names are valid, and the source owns
 * the shards at that point of the runbook), `--status` as is. The primary
 * names are the ones the CDK map emits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../api/src/db/migrate';
import { initialShardMap } from '../../lib/constructs/database/shard-map';
import { createProgress } from '../../tools/lib/progress';
import { main } from '../../tools/reshard/cli';
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
  expect(readFileSync(join(ROOT, 'api/src/worker.ts'), 'utf8')).toContain("'--seed-feeds'");
});
