import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../../../contracts/cli';
import { main } from '../../../tools/failover/cli';

/**
 * Every `npm run failover` command the failover and failback runbooks tell an
 * operator to type is valid as written: its options and region names pass the
 * tool's own argument check (the run then stops at the shard map: the map
 * file, or on AWS the API environment, exists only where the operator runs it). The drills run the same commands against
 * real servers (drills.test.ts).
 */
const ROOT = join(__dirname, '..', '..', '..');
const RUNBOOKS = ['docs/runbooks/failover.md', 'docs/runbooks/failback.md'];

function commands(file: string): string[][] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .map((line) => /npm run failover -- (.*)$/.exec(line.trim())?.[1])
    .filter((rest): rest is string => rest !== undefined)
    .map((rest) => rest.replace(/`.*$/, '').trim().split(/\s+/));
}

describe.each(RUNBOOKS)('%s', (file) => {
  const found = commands(file);

  test('tells the operator to run the tool, with a dry run first', () => {
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.some((args) => args.includes('--dry-run'))).toBe(true);
  });

  test.each(found.map((args) => [args.join(' '), args]))('npm run failover -- %s: valid as written', async (_line, args) => {
    const error = await main(args, { REGION_CONFIG_PARAMETER: '/graminsta/region-config' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    // The run stops at the shard map: a file on the operator's machine, or (AWS) the parameter named in the API environment loaded there.
    expect((error as CliError).message).toMatch(/^--map: cannot read failover-map\.json|^--map: cannot read failback-map\.json|^no shard map: pass --map <file> or set one of SHARD_MAP, SHARD_MAP_PARAMETER/);
  });
});
